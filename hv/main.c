/* The hypervisor's C entry on the BSP. */
#include <anchor/boot_info.h>
#include <anchor/hv.h>
#include <anchor/vcpu.h>
#include <anchor/x86.h>
#include "../arch/x86/arch.h"

void pages_init(const struct boot_info *bi);

void hv_main(struct boot_info *bi)
{
	arch_cpu_init_bsp();
	console_printf("\nanchor: hypervisor started (loader %s)\n",
	               bi && bi->magic == BOOT_INFO_MAGIC ? bi->loader : "?");
	if (!bi || bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION)
		hv_panic("bad boot_info at %p", (void *)bi);
	pages_init(bi);
	console_printf("anchor: %lu free pages\n", (unsigned long)page_free_count());
	hv_panic("nothing more to do yet");
}

unsigned cpu_index(void) { return 0; }
unsigned cpu_count(void) { return 1; }
