/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <glib.h>

#include "wstream-version-macros.h"

G_BEGIN_DECLS

/**
 * WSTREAM_ERROR:
 *
 * The error domain of wstream: the Streams Standard's `TypeError` and
 * `RangeError` cases, and the generic failures of sinks and strategies.
 */
#define WSTREAM_ERROR (wstream_error_quark ())

/**
 * WStreamError:
 * @WSTREAM_ERROR_FAILED: a generic failure, for example a sink vfunc that
 *   returned %FALSE without setting an error
 * @WSTREAM_ERROR_LOCKED: the stream is locked to a writer (a `TypeError`
 *   in the Standard)
 * @WSTREAM_ERROR_RELEASED: the writer released its lock and can no longer
 *   be used (a `TypeError`)
 * @WSTREAM_ERROR_CLOSED: the stream is closed or closing and cannot be
 *   written to or closed again (a `TypeError`)
 * @WSTREAM_ERROR_ERRORED: the stream is errored and cannot be closed (a
 *   `TypeError` where the Standard does not report the stored error)
 * @WSTREAM_ERROR_ABORTED: the stream was aborted without a reason
 * @WSTREAM_ERROR_INVALID_HIGH_WATER_MARK: a high-water mark that is NaN or
 *   negative (a `RangeError`)
 * @WSTREAM_ERROR_INVALID_SIZE: a chunk size that is NaN, negative or
 *   infinite (a `RangeError`)
 * @WSTREAM_ERROR_INVALID_CHUNK_TYPE: a chunk of a type that the strategy or
 *   the sink cannot handle (a `TypeError`)
 *
 * Error codes of the %WSTREAM_ERROR domain.
 */
typedef enum /*< underscore_name=wstream_error >*/ {
  WSTREAM_ERROR_FAILED,
  WSTREAM_ERROR_LOCKED,
  WSTREAM_ERROR_RELEASED,
  WSTREAM_ERROR_CLOSED,
  WSTREAM_ERROR_ERRORED,
  WSTREAM_ERROR_ABORTED,
  WSTREAM_ERROR_INVALID_HIGH_WATER_MARK,
  WSTREAM_ERROR_INVALID_SIZE,
  WSTREAM_ERROR_INVALID_CHUNK_TYPE,
} WStreamError;

WSTREAM_AVAILABLE_IN_ALL
GQuark wstream_error_quark (void);

G_END_DECLS
