/*
 * The hardening attack modes of the test guest (attack.c) and the argument matching main.c
 * and attack.c share.  Freestanding, single CPU, interrupts off.
 */
#ifndef TESTGUEST_ATTACK_H
#define TESTGUEST_ATTACK_H
#include <anchor/guest_abi.h>
#include <stdbool.h>

/* Whether the first word of args is `word` (main.c). */
bool mode_is(const char *args, const char *word);

/* Runs the attack mode named by the first word of args; false if args names none of them.
 * The modes and what they prove: docs/testguest.md, docs/security.md. */
bool attack_run(const char *args, const struct guest_info *gi);

#endif
