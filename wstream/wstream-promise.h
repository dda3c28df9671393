/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <gio/gio.h>

#include "wstream-version-macros.h"

G_BEGIN_DECLS

/**
 * WStreamPromiseState:
 * @WSTREAM_PROMISE_PENDING: not settled yet
 * @WSTREAM_PROMISE_FULFILLED: resolved, optionally with a value
 * @WSTREAM_PROMISE_REJECTED: rejected with a #GError
 *
 * The state of a #WStreamPromise.
 */
typedef enum /*< underscore_name=wstream_promise_state >*/ {
  WSTREAM_PROMISE_PENDING,
  WSTREAM_PROMISE_FULFILLED,
  WSTREAM_PROMISE_REJECTED,
} WStreamPromiseState;

#define WSTREAM_TYPE_PROMISE (wstream_promise_get_type ())
WSTREAM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WStreamPromise, wstream_promise, WSTREAM, PROMISE, GObject)

WSTREAM_AVAILABLE_IN_ALL
WStreamPromise      *wstream_promise_new         (void);
WSTREAM_AVAILABLE_IN_ALL
gboolean             wstream_promise_resolve     (WStreamPromise      *self,
                                                  const GValue        *value);
WSTREAM_AVAILABLE_IN_ALL
gboolean             wstream_promise_reject      (WStreamPromise      *self,
                                                  const GError        *error);
WSTREAM_AVAILABLE_IN_ALL
WStreamPromiseState  wstream_promise_get_state   (WStreamPromise      *self);
WSTREAM_AVAILABLE_IN_ALL
const GValue        *wstream_promise_get_value   (WStreamPromise      *self);
WSTREAM_AVAILABLE_IN_ALL
const GError        *wstream_promise_get_error   (WStreamPromise      *self);
WSTREAM_AVAILABLE_IN_ALL
void                 wstream_promise_wait_async  (WStreamPromise      *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
WSTREAM_AVAILABLE_IN_ALL
gboolean             wstream_promise_wait_finish (WStreamPromise      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
