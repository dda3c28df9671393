/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <gio/gio.h>

#include "wstream-version-macros.h"
#include "wstream-promise.h"
#include "wstream-sink.h"

G_BEGIN_DECLS

#define WSTREAM_TYPE_DEFAULT_CONTROLLER (wstream_default_controller_get_type ())
WSTREAM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WStreamDefaultController, wstream_default_controller, WSTREAM, DEFAULT_CONTROLLER, GObject)

WSTREAM_AVAILABLE_IN_ALL
void            wstream_default_controller_error            (WStreamDefaultController *self,
                                                             const GError             *error);
WSTREAM_AVAILABLE_IN_ALL
WStreamPromise *wstream_default_controller_defer            (WStreamDefaultController *self);
WSTREAM_AVAILABLE_IN_ALL
GCancellable   *wstream_default_controller_get_cancellable  (WStreamDefaultController *self);
WSTREAM_AVAILABLE_IN_ALL
const GError   *wstream_default_controller_get_abort_reason (WStreamDefaultController *self);

G_END_DECLS
