/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sequence engine of the differential test (engine.c). */
#pragma once

#include <wstream.h>

/* Runs one sequence and appends its trace to @out (without the "### n"
 * header).  Afterwards every reference is dropped and finalization is
 * checked with weak pointers. */
void  diff_run_sequence   (const char *line,
                           GString    *out);
/* Callbacks that arrived after the end of their sequence (cancelled waits,
 * deferred promises the driver dropped): counted, not traced. */
guint diff_late_callbacks (void);
/* Sequences after which the stream or the sink was not finalized. */
guint diff_not_finalized  (void);
