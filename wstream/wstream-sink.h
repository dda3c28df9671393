/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (WSTREAM_INSIDE) && !defined (WSTREAM_COMPILATION)
# error "Only <wstream.h> can be included directly."
#endif

#include <glib-object.h>

#include "wstream-version-macros.h"

G_BEGIN_DECLS

typedef struct _WStreamDefaultController WStreamDefaultController;

#define WSTREAM_TYPE_SINK (wstream_sink_get_type ())
WSTREAM_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (WStreamSink, wstream_sink, WSTREAM, SINK, GObject)

/**
 * WStreamSinkInterface:
 * @g_iface: the parent interface
 * @start: called once, while the stream is made; see [method@WStream.Sink.start]
 * @write: called for each chunk, one at a time; see [method@WStream.Sink.write]
 * @close: called once after the last write, when the stream is closed; see
 *   [method@WStream.Sink.close]
 * @abort: called when the stream is aborted; see [method@WStream.Sink.abort]
 *
 * The underlying sink of a #WStreamWritableStream: the Standard's
 * `UnderlyingSink` dictionary `{start, write, close, abort}`.
 *
 * Every vfunc is optional: a missing one succeeds at once, as a missing
 * method does in the Standard. Each returns %TRUE when the operation
 * succeeded, or %FALSE with an error when it failed. To finish later, call
 * [method@WStream.DefaultController.defer] first, return %TRUE, and settle
 * the promise it gave you when done. A vfunc that returns %FALSE without
 * setting an error fails with %WSTREAM_ERROR_FAILED.
 */
struct _WStreamSinkInterface
{
  GTypeInterface g_iface;

  gboolean (*start) (WStreamSink               *self,
                     WStreamDefaultController  *controller,
                     GError                   **error);
  gboolean (*write) (WStreamSink               *self,
                     const GValue              *chunk,
                     WStreamDefaultController  *controller,
                     GError                   **error);
  gboolean (*close) (WStreamSink               *self,
                     WStreamDefaultController  *controller,
                     GError                   **error);
  gboolean (*abort) (WStreamSink               *self,
                     const GError              *reason,
                     WStreamDefaultController  *controller,
                     GError                   **error);
};

WSTREAM_AVAILABLE_IN_ALL
gboolean wstream_sink_start (WStreamSink               *self,
                             WStreamDefaultController  *controller,
                             GError                   **error);
WSTREAM_AVAILABLE_IN_ALL
gboolean wstream_sink_write (WStreamSink               *self,
                             const GValue              *chunk,
                             WStreamDefaultController  *controller,
                             GError                   **error);
WSTREAM_AVAILABLE_IN_ALL
gboolean wstream_sink_close (WStreamSink               *self,
                             WStreamDefaultController  *controller,
                             GError                   **error);
WSTREAM_AVAILABLE_IN_ALL
gboolean wstream_sink_abort (WStreamSink               *self,
                             const GError              *reason,
                             WStreamDefaultController  *controller,
                             GError                   **error);

G_END_DECLS
