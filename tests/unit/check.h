/* Minimal check helpers for the host unit tests (tests/unit, tests/bochs, hv/tests): one
 * "ok - name" / "not ok - name reason" line per check (tests/harness.sh counts them).  The exit
 * status says whether all passed. */
#ifndef ANCHOR_TEST_CHECK_H
#define ANCHOR_TEST_CHECK_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int check_failures;

/* Reports one check; fmt/... describe the failure and are printed only when !cond. */
static inline bool check(bool cond, const char *name, const char *fmt, ...)
{
	if (cond) {
		printf("ok - %s\n", name);
		return true;
	}
	printf("not ok - %s ", name);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	check_failures++;
	return false;
}

/* The short form: the failure reason is where the check stands. */
#define CHECK(name, cond) check((cond), (name), "(%s:%d)", __FILE__, __LINE__)

static inline int check_exit(void)
{
	return check_failures ? 1 : 0;
}

#endif
