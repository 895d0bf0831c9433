/*
 * Services of the hypervisor core (hv/) that every part of the hypervisor may call, including
 * the arch back ends (arch/x86/svm*.c, vmx*.c) and the Multiboot2 entry.
 */
#ifndef ANCHOR_HV_H
#define ANCHOR_HV_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096ull
#define HV_MAX_CPUS 16

struct boot_info;

/* C entry of the hypervisor, on the BSP, on the hypervisor's own stack (hv/entry.S switches to
 * it: both loaders may jump to hv_entry_64 with RDI = boot_info, or call hv_main themselves
 * after switching to bsp_stack_top). */
void hv_main(struct boot_info *bi);
extern uint8_t bsp_stack_top[];

/* Serial console on COM1 (hv/console.c).  Safe from several CPUs: each call is one record that
 * never interleaves with another.  On the BSP a call prints (after what the APs queued); on an
 * AP it is queued in that CPU's buffer without waiting (dropped and counted if the buffer is
 * full) and the BSP prints it from console_service().
 * Formats: %s %c %d %i %u %x %X %p %%, with 0-padding / width, and l / ll / z length. */
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_vprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t n);   /* one atomic chunk, no formatting */
/* On the BSP: prints what the APs queued.  wait: all of it (the BSP has nothing else to do);
 * otherwise only what the UART takes without waiting (the BSP runs an LPAR of its own). */
void console_service(bool wait);
size_t format_string(char *buf, size_t max, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));  /* snprintf-like, always NUL-terminates */
size_t vformat_string(char *buf, size_t max, const char *fmt, va_list ap);

/* Stop this CPU for good after printing "anchor: panic: <msg>". */
_Noreturn void hv_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Physical page allocator (hv/pages.c): contiguous, zeroed, 4 KiB aligned, identity-mapped,
 * below 4 GiB; NULL when memory is exhausted.  Pages are never freed (static partitioning). */
void *page_alloc(size_t count);
size_t page_free_count(void);

/* The index of the calling CPU: 0 = BSP, then in ACPI MADT order (arch/x86/smp.c). */
unsigned cpu_index(void);
unsigned cpu_count(void);
uint32_t cpu_apic_id(unsigned cpu);   /* the local APIC id of CPU `cpu` (0 if unknown) */

/* Wakes the BSP (an IPI) from its sleep in the HTPM's service loop: code on an AP that queued
 * work for the BSP, or whose LPAR stopped, calls it.  A no-op on the BSP itself. */
void bsp_kick(void);

/* A simple spinlock (test-and-set; interrupts are always off in the hypervisor). */
typedef struct { volatile uint32_t locked; } spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);

#endif
