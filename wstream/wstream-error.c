/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wstream-error.h"

/**
 * wstream_error_quark:
 *
 * The quark of the %WSTREAM_ERROR domain.
 *
 * Returns: the error domain quark
 */
G_DEFINE_QUARK (wstream-error-quark, wstream_error)
