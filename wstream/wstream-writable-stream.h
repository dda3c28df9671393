/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <gio/gio.h>

#include "wstream-version-macros.h"
#include "wstream-queuing-strategy.h"
#include "wstream-sink.h"

G_BEGIN_DECLS

/**
 * WStreamState:
 * @WSTREAM_STATE_WRITABLE: the stream accepts writes
 * @WSTREAM_STATE_ERRORING: the stream was aborted or errored and waits for
 *   the operation in flight before it becomes errored
 * @WSTREAM_STATE_ERRORED: the stream failed; every operation fails with the
 *   stored error
 * @WSTREAM_STATE_CLOSED: the sink closed successfully
 *
 * The Standard's `[[state]]` of a writable stream.
 */
typedef enum /*< underscore_name=wstream_state >*/ {
  WSTREAM_STATE_WRITABLE,
  WSTREAM_STATE_ERRORING,
  WSTREAM_STATE_ERRORED,
  WSTREAM_STATE_CLOSED,
} WStreamState;

typedef struct _WStreamDefaultWriter WStreamDefaultWriter;

#define WSTREAM_TYPE_WRITABLE_STREAM (wstream_writable_stream_get_type ())
WSTREAM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WStreamWritableStream, wstream_writable_stream, WSTREAM, WRITABLE_STREAM, GObject)

WSTREAM_AVAILABLE_IN_ALL
WStreamWritableStream *wstream_writable_stream_new          (WStreamSink             *sink,
                                                             WStreamQueuingStrategy  *strategy,
                                                             GError                 **error);
WSTREAM_AVAILABLE_IN_ALL
gboolean               wstream_writable_stream_is_locked    (WStreamWritableStream   *self);
WSTREAM_AVAILABLE_IN_ALL
WStreamState           wstream_writable_stream_get_state    (WStreamWritableStream   *self);
WSTREAM_AVAILABLE_IN_ALL
WStreamSink           *wstream_writable_stream_get_sink     (WStreamWritableStream   *self);
WSTREAM_AVAILABLE_IN_ALL
WStreamQueuingStrategy *wstream_writable_stream_get_strategy (WStreamWritableStream  *self);
WSTREAM_AVAILABLE_IN_ALL
WStreamDefaultWriter  *wstream_writable_stream_get_writer   (WStreamWritableStream   *self,
                                                             GError                 **error);
WSTREAM_AVAILABLE_IN_ALL
void                   wstream_writable_stream_abort_async  (WStreamWritableStream   *self,
                                                             const GError            *reason,
                                                             GCancellable            *cancellable,
                                                             GAsyncReadyCallback      callback,
                                                             gpointer                 user_data);
WSTREAM_AVAILABLE_IN_ALL
gboolean               wstream_writable_stream_abort_finish (WStreamWritableStream   *self,
                                                             GAsyncResult            *result,
                                                             GError                 **error);
WSTREAM_AVAILABLE_IN_ALL
void                   wstream_writable_stream_close_async  (WStreamWritableStream   *self,
                                                             GCancellable            *cancellable,
                                                             GAsyncReadyCallback      callback,
                                                             gpointer                 user_data);
WSTREAM_AVAILABLE_IN_ALL
gboolean               wstream_writable_stream_close_finish (WStreamWritableStream   *self,
                                                             GAsyncResult            *result,
                                                             GError                 **error);

G_END_DECLS
