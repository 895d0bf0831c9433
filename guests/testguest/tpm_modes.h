/*
 * The test guest's vTPM modes (docs/testguest.md), portable: they reach the TPM only through
 * a struct tpm_io and the platform only through console.h, so the host test runs them
 * unchanged against the front-ends and the engine.
 *
 *   tpm [N] [brief]    the end-to-end sequence: Startup (expects TPM_RC_INITIALIZE: the HTPM ran
 *                      it), GetRandom, PCR_Extend/PCR_Read, both EK templates, the EK
 *                      certificates and the chain from NV, printed for the host to verify;
 *                      then, with N, the load below; brief: sizes and hashes, not hex dumps
 *   tpm-load [N]       N (default 1000) commands carrying this LPAR's name, every response
 *                      checked: counts of ok, lost and misrouted
 *   tpm-hostile [N]    what a guest must not be able to do (undefine the EK certificates,
 *                      ChangeEPS, localities 3/4) and abuse (aborts mid-command, N floods)
 *   tpm-reset          first life: marks NV and PCR 16, resets the platform (0xCF9); second
 *                      life: the vEK and NV kept, PCRs reset
 *   tpm-bench [N]      one GetRandom(32), then N more without output between them, and the
 *                      driver's access counts for the N (the hypervisor's exit counters do the rest)
 * Each prints "vtpm: ..." lines, one per check ("... ok" / "... FAIL ..."), and ends with
 * "vtpm: all N checks passed" or "vtpm: F of N checks FAILED".
 */
#ifndef TESTGUEST_TPM_MODES_H
#define TESTGUEST_TPM_MODES_H
#include "tpm_drv.h"

/* Runs the mode the first word of args names; false if it names none of the above. */
bool tpm_mode_run(const char *args, const char *lpar_name, const struct tpm_io *io);

#endif
