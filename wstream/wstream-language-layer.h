/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <gio/gio.h>

#include "wstream-version-macros.h"
#include "wstream-promise.h"
#include "wstream-writable-stream.h"
#include "wstream-default-writer.h"

G_BEGIN_DECLS

/**
 * WStreamPromiseSettledFunc:
 * @promise: the promise that just settled
 * @user_data: the data given with the function
 *
 * Called synchronously, inside the call that settles @promise, by a
 * promise that has a settled callback (see
 * [method@WStream.Promise.set_settled_callback]). Read the outcome with
 * [method@WStream.Promise.get_state], [method@WStream.Promise.get_value]
 * and [method@WStream.Promise.get_error].
 *
 * It runs in the middle of the stream's algorithms: it must not call back
 * into the stream, its writer or its controller. Settle a promise of your
 * own language and return.
 */
typedef void (*WStreamPromiseSettledFunc) (WStreamPromise *promise,
                                           gpointer        user_data);

WSTREAM_AVAILABLE_IN_ALL
void            wstream_promise_set_settled_callback   (WStreamPromise            *self,
                                                        WStreamPromiseSettledFunc  func,
                                                        gpointer                   user_data,
                                                        GDestroyNotify             destroy);
WSTREAM_AVAILABLE_IN_ALL
gboolean        wstream_promise_resolve_now            (WStreamPromise            *self,
                                                        const GValue              *value);
WSTREAM_AVAILABLE_IN_ALL
gboolean        wstream_promise_reject_now             (WStreamPromise            *self,
                                                        const GError              *error);

WSTREAM_AVAILABLE_IN_ALL
WStreamPromise *wstream_default_writer_write_promise   (WStreamDefaultWriter      *writer,
                                                        const GValue              *chunk);
WSTREAM_AVAILABLE_IN_ALL
WStreamPromise *wstream_default_writer_close_promise   (WStreamDefaultWriter      *writer);
WSTREAM_AVAILABLE_IN_ALL
WStreamPromise *wstream_default_writer_abort_promise   (WStreamDefaultWriter      *writer,
                                                        const GError              *reason);
WSTREAM_AVAILABLE_IN_ALL
WStreamPromise *wstream_writable_stream_close_promise  (WStreamWritableStream     *stream);
WSTREAM_AVAILABLE_IN_ALL
WStreamPromise *wstream_writable_stream_abort_promise  (WStreamWritableStream     *stream,
                                                        const GError              *reason);

G_END_DECLS
