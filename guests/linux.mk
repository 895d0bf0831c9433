# The Linux guest image (guests/linux/build.sh): Debian's cloud kernel and an initramfs with
# busybox, tpm2-tools and the TSS, built from Debian packages only.  The first build downloads
# the packages (apt-get download, ~40 MiB, cached in $(BUILD)/linux/debs); later builds are
# offline.  Not part of `make all`; `make linux-image` or the tests that need it build it.
LINUX_IMG_DIR  := $(BUILD)/linux
LINUX_IMG      := $(LINUX_IMG_DIR)/bzImage $(LINUX_IMG_DIR)/initrd.img
LINUX_IMG_SRCS := guests/linux/build.sh guests/linux/packages.txt guests/linux/init \
                  guests/linux/scenario.sh

# One recipe makes both files (a grouped target).
$(LINUX_IMG) &: $(LINUX_IMG_SRCS)
	@guests/linux/build.sh $(LINUX_IMG_DIR)

linux-image: $(LINUX_IMG)

.PHONY: linux-image
