/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <gio/gio.h>

#include "wstream-version-macros.h"
#include "wstream-promise.h"
#include "wstream-writable-stream.h"

G_BEGIN_DECLS

#define WSTREAM_TYPE_DEFAULT_WRITER (wstream_default_writer_get_type ())
WSTREAM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WStreamDefaultWriter, wstream_default_writer, WSTREAM, DEFAULT_WRITER, GObject)

WSTREAM_AVAILABLE_IN_ALL
WStreamDefaultWriter *wstream_default_writer_new               (WStreamWritableStream  *stream,
                                                                GError                **error);
WSTREAM_AVAILABLE_IN_ALL
void                  wstream_default_writer_write_async       (WStreamDefaultWriter   *self,
                                                                const GValue           *chunk,
                                                                GCancellable           *cancellable,
                                                                GAsyncReadyCallback     callback,
                                                                gpointer                user_data);
WSTREAM_AVAILABLE_IN_ALL
void                  wstream_default_writer_write_bytes_async (WStreamDefaultWriter   *self,
                                                                GBytes                 *bytes,
                                                                GCancellable           *cancellable,
                                                                GAsyncReadyCallback     callback,
                                                                gpointer                user_data);
WSTREAM_AVAILABLE_IN_ALL
gboolean              wstream_default_writer_write_finish      (WStreamDefaultWriter   *self,
                                                                GAsyncResult           *result,
                                                                GError                **error);
WSTREAM_AVAILABLE_IN_ALL
void                  wstream_default_writer_close_async       (WStreamDefaultWriter   *self,
                                                                GCancellable           *cancellable,
                                                                GAsyncReadyCallback     callback,
                                                                gpointer                user_data);
WSTREAM_AVAILABLE_IN_ALL
gboolean              wstream_default_writer_close_finish      (WStreamDefaultWriter   *self,
                                                                GAsyncResult           *result,
                                                                GError                **error);
WSTREAM_AVAILABLE_IN_ALL
void                  wstream_default_writer_abort_async       (WStreamDefaultWriter   *self,
                                                                const GError           *reason,
                                                                GCancellable           *cancellable,
                                                                GAsyncReadyCallback     callback,
                                                                gpointer                user_data);
WSTREAM_AVAILABLE_IN_ALL
gboolean              wstream_default_writer_abort_finish      (WStreamDefaultWriter   *self,
                                                                GAsyncResult           *result,
                                                                GError                **error);
WSTREAM_AVAILABLE_IN_ALL
void                  wstream_default_writer_wait_ready_async  (WStreamDefaultWriter   *self,
                                                                GCancellable           *cancellable,
                                                                GAsyncReadyCallback     callback,
                                                                gpointer                user_data);
WSTREAM_AVAILABLE_IN_ALL
gboolean              wstream_default_writer_wait_ready_finish (WStreamDefaultWriter   *self,
                                                                GAsyncResult           *result,
                                                                GError                **error);
WSTREAM_AVAILABLE_IN_ALL
void                  wstream_default_writer_wait_closed_async (WStreamDefaultWriter   *self,
                                                                GCancellable           *cancellable,
                                                                GAsyncReadyCallback     callback,
                                                                gpointer                user_data);
WSTREAM_AVAILABLE_IN_ALL
gboolean              wstream_default_writer_wait_closed_finish (WStreamDefaultWriter  *self,
                                                                 GAsyncResult          *result,
                                                                 GError               **error);
WSTREAM_AVAILABLE_IN_ALL
gboolean              wstream_default_writer_get_desired_size  (WStreamDefaultWriter   *self,
                                                                double                 *out_size,
                                                                GError                **error);
WSTREAM_AVAILABLE_IN_ALL
void                  wstream_default_writer_release_lock      (WStreamDefaultWriter   *self);
WSTREAM_AVAILABLE_IN_ALL
WStreamWritableStream *wstream_default_writer_get_stream       (WStreamDefaultWriter   *self);
WSTREAM_AVAILABLE_IN_ALL
WStreamPromise       *wstream_default_writer_get_ready         (WStreamDefaultWriter   *self);
WSTREAM_AVAILABLE_IN_ALL
WStreamPromise       *wstream_default_writer_get_closed        (WStreamDefaultWriter   *self);

G_END_DECLS
