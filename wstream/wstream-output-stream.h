/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <gio/gio.h>

#include "wstream-version-macros.h"
#include "wstream-writable-stream.h"

G_BEGIN_DECLS

#define WSTREAM_TYPE_OUTPUT_STREAM (wstream_output_stream_get_type ())
WSTREAM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WStreamOutputStream, wstream_output_stream, WSTREAM, OUTPUT_STREAM, GOutputStream)

WSTREAM_AVAILABLE_IN_ALL
GOutputStream         *wstream_output_stream_new        (WStreamWritableStream  *stream,
                                                         GError                **error);
WSTREAM_AVAILABLE_IN_ALL
WStreamWritableStream *wstream_output_stream_get_stream (WStreamOutputStream    *self);

G_END_DECLS
