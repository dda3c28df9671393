/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <gio/gio.h>

#include "wstream-version-macros.h"
#include "wstream-queuing-strategy.h"
#include "wstream-sink.h"
#include "wstream-writable-stream.h"

G_BEGIN_DECLS

#define WSTREAM_TYPE_OUTPUT_STREAM_SINK (wstream_output_stream_sink_get_type ())
WSTREAM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WStreamOutputStreamSink, wstream_output_stream_sink,
                      WSTREAM, OUTPUT_STREAM_SINK, GObject)

WSTREAM_AVAILABLE_IN_ALL
WStreamOutputStreamSink *wstream_output_stream_sink_new                   (GOutputStream           *base_stream);
WSTREAM_AVAILABLE_IN_ALL
GOutputStream           *wstream_output_stream_sink_get_base_stream       (WStreamOutputStreamSink *self);
WSTREAM_AVAILABLE_IN_ALL
int                      wstream_output_stream_sink_get_io_priority       (WStreamOutputStreamSink *self);
WSTREAM_AVAILABLE_IN_ALL
void                     wstream_output_stream_sink_set_io_priority       (WStreamOutputStreamSink *self,
                                                                           int                      io_priority);
WSTREAM_AVAILABLE_IN_ALL
gboolean                 wstream_output_stream_sink_get_close_base_stream (WStreamOutputStreamSink *self);
WSTREAM_AVAILABLE_IN_ALL
void                     wstream_output_stream_sink_set_close_base_stream (WStreamOutputStreamSink *self,
                                                                           gboolean                 close_base_stream);
WSTREAM_AVAILABLE_IN_ALL
gboolean                 wstream_output_stream_sink_get_blocking_writes   (WStreamOutputStreamSink *self);
WSTREAM_AVAILABLE_IN_ALL
void                     wstream_output_stream_sink_set_blocking_writes   (WStreamOutputStreamSink *self,
                                                                           gboolean                 blocking_writes);

WSTREAM_AVAILABLE_IN_ALL
WStreamWritableStream   *wstream_writable_stream_new_for_output_stream    (GOutputStream           *base_stream,
                                                                           WStreamQueuingStrategy  *strategy,
                                                                           GError                 **error);

G_END_DECLS
