/* libFuzzer target for lib/config.c: cfg_parse on any text, then cfg_validate and
 * cfg_identity_encode on whatever parses.  The first byte picks the CPU count and the error
 * buffer size so short buffers are exercised too. */
#include <anchor/config.h>
#include <stdlib.h>
#include <string.h>

static void require(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned cpus = size ? data[0] & 15 : 4;
	size_t errlen = size ? (size_t)(data[0] >> 4) * 12 : CFG_ERR_MAX;
	if (errlen > CFG_ERR_MAX)
		errlen = CFG_ERR_MAX;
	char *text = malloc(size ? size : 1);   /* exact size: ASan catches over-reads */
	memcpy(text, data, size);
	char *err = malloc(errlen ? errlen : 1);
	struct cfg c;
	int rc = cfg_parse(text, size, &c, err, errlen);
	require(rc == 0 || rc == -1);
	if (errlen)
		require(memchr(err, '\0', errlen) != NULL);
	if (rc == 0) {
		require(c.lpar_count >= 1 && c.lpar_count <= CFG_MAX_LPARS);
		for (unsigned i = 0; i < c.lpar_count; i++) {
			const struct cfg_lpar *l = &c.lpars[i];
			require(memchr(l->name, '\0', sizeof l->name) && memchr(l->image, '\0', sizeof l->image) &&
			        memchr(l->args, '\0', sizeof l->args) && l->name[0] && l->image[0]);
			uint8_t id[CFG_IDENTITY_MAX];
			size_t n = cfg_identity_encode(l, id, sizeof id);
			require(n > 0 && n <= sizeof id);
		}
		rc = cfg_validate(&c, cpus, err, errlen);
		require(rc == 0 || rc == -1);
		if (errlen)
			require(memchr(err, '\0', errlen) != NULL);
		if (errlen && rc == -1)
			require(err[0] != '\0');
	} else if (errlen) {
		require(err[0] != '\0');
	}
	free(err);
	free(text);
	return 0;
}
