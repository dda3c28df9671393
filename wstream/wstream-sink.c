/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wstream-private.h"

/**
 * WStreamSink:
 *
 * Where a #WStreamWritableStream's chunks go: the Standard's underlying
 * sink, as a GInterface that C, Python and JavaScript classes implement.
 *
 * The stream calls the sink's vfuncs one at a time, never two at once, and
 * some of them synchronously from a public call (an idle stream's
 * [method@WStream.DefaultWriter.write_async] calls `write` before it
 * returns), exactly as the Standard does. A vfunc may call back into the
 * writer and the controller: write from inside `write`, abort from inside
 * `write`, [method@WStream.DefaultController.error] from inside `start`.
 *
 * ## Finishing now, failing, or finishing later
 *
 * - Return %TRUE: the operation succeeded now.
 * - Return %FALSE with an error: it failed now. For `start` this makes
 *   [ctor@WStream.WritableStream.new] fail; for the others it errors the
 *   stream with that error.
 * - To finish later, call [method@WStream.DefaultController.defer], return
 *   %TRUE, and later call [method@WStream.Promise.resolve] or
 *   [method@WStream.Promise.reject] on the promise you got, from the
 *   stream's main context. The stream goes on from its job queue, after your
 *   call returned.
 * - Return %FALSE without an error (what a binding does when the code raised
 *   an exception that is not a GLib error): the operation failed with
 *   %WSTREAM_ERROR_FAILED. It never counts as success.
 *
 * A chunk given to `write` belongs to the stream and stays alive until the
 * write settles; copy or reference what you keep longer.
 */

G_DEFINE_INTERFACE (WStreamSink, wstream_sink, G_TYPE_OBJECT)

static void
wstream_sink_default_init (WStreamSinkInterface *iface)
{
}

/**
 * wstream_sink_start:
 * @self: a #WStreamSink
 * @controller: the controller of the stream being made
 * @error: return location for an error
 *
 * Starts the sink: the Standard's `start(controller)`. Called once, from
 * [ctor@WStream.WritableStream.new]. No write reaches the sink before start
 * succeeded, also when it finishes later through
 * [method@WStream.DefaultController.defer].
 *
 * Returns: %TRUE on success (or when finishing later), %FALSE with @error
 *   set on failure
 */
gboolean
wstream_sink_start (WStreamSink               *self,
                    WStreamDefaultController  *controller,
                    GError                   **error)
{
  WStreamSinkInterface *iface;

  g_return_val_if_fail (WSTREAM_IS_SINK (self), FALSE);

  iface = WSTREAM_SINK_GET_IFACE (self);
  return iface->start == NULL || iface->start (self, controller, error);
}

/**
 * wstream_sink_write:
 * @self: a #WStreamSink
 * @chunk: the chunk to write; it stays alive until the write settles
 * @controller: the controller of the stream
 * @error: return location for an error
 *
 * Writes one chunk: the Standard's `write(chunk, controller)`. The next
 * write waits until this one succeeded; a failure errors the stream.
 *
 * Returns: %TRUE on success (or when finishing later), %FALSE with @error
 *   set on failure
 */
gboolean
wstream_sink_write (WStreamSink               *self,
                    const GValue              *chunk,
                    WStreamDefaultController  *controller,
                    GError                   **error)
{
  WStreamSinkInterface *iface;

  g_return_val_if_fail (WSTREAM_IS_SINK (self), FALSE);

  iface = WSTREAM_SINK_GET_IFACE (self);
  return iface->write == NULL || iface->write (self, chunk, controller, error);
}

/**
 * wstream_sink_close:
 * @self: a #WStreamSink
 * @controller: the controller of the stream
 * @error: return location for an error
 *
 * Closes the sink after every queued chunk was written: the Standard's
 * `close()`.
 *
 * Returns: %TRUE on success (or when finishing later), %FALSE with @error
 *   set on failure
 */
gboolean
wstream_sink_close (WStreamSink               *self,
                    WStreamDefaultController  *controller,
                    GError                   **error)
{
  WStreamSinkInterface *iface;

  g_return_val_if_fail (WSTREAM_IS_SINK (self), FALSE);

  iface = WSTREAM_SINK_GET_IFACE (self);
  return iface->close == NULL || iface->close (self, controller, error);
}

/**
 * wstream_sink_abort:
 * @self: a #WStreamSink
 * @reason: why the stream is aborted
 * @controller: the controller of the stream
 * @error: return location for an error
 *
 * Aborts the sink: the Standard's `abort(reason)`. Called after any write
 * in flight settled; queued chunks are dropped. The controller's
 * #GCancellable was cancelled already when the abort began.
 *
 * Returns: %TRUE on success (or when finishing later), %FALSE with @error
 *   set on failure
 */
gboolean
wstream_sink_abort (WStreamSink               *self,
                    const GError              *reason,
                    WStreamDefaultController  *controller,
                    GError                   **error)
{
  WStreamSinkInterface *iface;

  g_return_val_if_fail (WSTREAM_IS_SINK (self), FALSE);

  iface = WSTREAM_SINK_GET_IFACE (self);
  return iface->abort == NULL || iface->abort (self, reason, controller, error);
}
