/*
 * The CPU's random number instructions (anchor/arch.h): RDSEED (entropy source, for seeding)
 * and RDRAND (its DRBG), each used only when CPUID says the CPU has it, each retried a bounded
 * number of times as Intel's guidance asks (a failure is transient; ten in a row is not).
 */
#include <anchor/arch.h>
#include <anchor/x86.h>

#define RETRIES 10

bool arch_has_rdrand(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	return (r[2] >> 30) & 1;
}

bool arch_has_rdseed(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	if (r[0] < 7)
		return false;
	cpuid(7, 0, r);
	return (r[1] >> 18) & 1;
}

bool arch_rdrand64(uint64_t *out)
{
	for (int i = 0; i < RETRIES; i++) {
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
		if (ok)
			return true;
	}
	return false;
}

bool arch_rdseed64(uint64_t *out)
{
	for (int i = 0; i < RETRIES; i++) {
		unsigned char ok;
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
		if (ok)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}
