/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <glib.h>

#ifndef _WSTREAM_EXTERN
# define _WSTREAM_EXTERN __attribute__((visibility ("default"))) extern
#endif

#define WSTREAM_AVAILABLE_IN_ALL _WSTREAM_EXTERN
