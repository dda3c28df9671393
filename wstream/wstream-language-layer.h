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
#include "wstream-default-controller.h"

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

G_BEGIN_DECLS

/**
 * WStreamLanguageEventKind:
 * @WSTREAM_LANGUAGE_EVENT_NONE: no event is left
 * @WSTREAM_LANGUAGE_EVENT_FULFILLED: a watched promise was fulfilled; the
 *   tag is the one [method@WStream.LanguageSink.watch] gave
 * @WSTREAM_LANGUAGE_EVENT_REJECTED: a watched promise was rejected; the
 *   error is its reason
 * @WSTREAM_LANGUAGE_EVENT_START: the stream called the sink's `start`; the
 *   tag names the operation for [method@WStream.LanguageSink.settle]
 * @WSTREAM_LANGUAGE_EVENT_WRITE: the stream called the sink's `write`; the
 *   chunk is the one written
 * @WSTREAM_LANGUAGE_EVENT_CLOSE: the stream called the sink's `close`
 * @WSTREAM_LANGUAGE_EVENT_ABORT: the stream called the sink's `abort`; the
 *   error is the reason
 * @WSTREAM_LANGUAGE_EVENT_ABORT_SIGNAL: the controller's cancellable (the
 *   Standard's `controller.signal`) was cancelled; the error is the reason
 *
 * What a #WStreamLanguageSink recorded.
 */
typedef enum /*< underscore_name=wstream_language_event_kind >*/ {
  WSTREAM_LANGUAGE_EVENT_NONE,
  WSTREAM_LANGUAGE_EVENT_FULFILLED,
  WSTREAM_LANGUAGE_EVENT_REJECTED,
  WSTREAM_LANGUAGE_EVENT_START,
  WSTREAM_LANGUAGE_EVENT_WRITE,
  WSTREAM_LANGUAGE_EVENT_CLOSE,
  WSTREAM_LANGUAGE_EVENT_ABORT,
  WSTREAM_LANGUAGE_EVENT_ABORT_SIGNAL,
} WStreamLanguageEventKind;

#define WSTREAM_TYPE_LANGUAGE_SINK (wstream_language_sink_get_type ())
WSTREAM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WStreamLanguageSink, wstream_language_sink, WSTREAM, LANGUAGE_SINK, GObject)

WSTREAM_AVAILABLE_IN_ALL
WStreamLanguageSink      *wstream_language_sink_new                (void);
WSTREAM_AVAILABLE_IN_ALL
WStreamQueuingStrategy   *wstream_language_sink_new_strategy       (WStreamLanguageSink  *self,
                                                                    double                high_water_mark,
                                                                    GError              **error);
WSTREAM_AVAILABLE_IN_ALL
void                      wstream_language_sink_set_next_size      (WStreamLanguageSink  *self,
                                                                    double                size);
WSTREAM_AVAILABLE_IN_ALL
void                      wstream_language_sink_set_next_size_error (WStreamLanguageSink *self,
                                                                     const GError        *error);
WSTREAM_AVAILABLE_IN_ALL
guint                     wstream_language_sink_watch              (WStreamLanguageSink  *self,
                                                                    WStreamPromise       *promise);
WSTREAM_AVAILABLE_IN_ALL
guint                     wstream_language_sink_watch_ready        (WStreamLanguageSink  *self,
                                                                    WStreamDefaultWriter *writer);
WSTREAM_AVAILABLE_IN_ALL
guint                     wstream_language_sink_watch_closed       (WStreamLanguageSink  *self,
                                                                    WStreamDefaultWriter *writer);
WSTREAM_AVAILABLE_IN_ALL
guint                     wstream_language_sink_write              (WStreamLanguageSink  *self,
                                                                    WStreamDefaultWriter *writer,
                                                                    const GValue         *chunk);
WSTREAM_AVAILABLE_IN_ALL
WStreamLanguageEventKind  wstream_language_sink_next_event         (WStreamLanguageSink  *self,
                                                                    guint                *tag);
WSTREAM_AVAILABLE_IN_ALL
const GValue             *wstream_language_sink_get_event_chunk    (WStreamLanguageSink  *self);
WSTREAM_AVAILABLE_IN_ALL
const GError             *wstream_language_sink_get_event_error    (WStreamLanguageSink  *self);
WSTREAM_AVAILABLE_IN_ALL
WStreamDefaultController *wstream_language_sink_get_controller     (WStreamLanguageSink  *self);
WSTREAM_AVAILABLE_IN_ALL
gboolean                  wstream_language_sink_wants_size         (WStreamLanguageSink  *self);
WSTREAM_AVAILABLE_IN_ALL
gboolean                  wstream_language_sink_settle             (WStreamLanguageSink  *self,
                                                                    guint                 operation,
                                                                    const GError         *error);

G_END_DECLS
