/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wstream-private.h"

/**
 * WStreamDefaultController:
 *
 * What a #WStreamSink gets to control its stream: the Standard's
 * `WritableStreamDefaultController`.
 *
 * - [method@WStream.DefaultController.error] errors the stream, as
 *   `controller.error(e)` does.
 * - [method@WStream.DefaultController.get_cancellable] is the Standard's
 *   `controller.signal`: a #GCancellable cancelled when the stream is
 *   aborted, with the reason in
 *   [method@WStream.DefaultController.get_abort_reason]. A sink with a
 *   long operation in progress connects to it to stop early.
 * - [method@WStream.DefaultController.defer] gives a sink operation a
 *   promise to settle later: the C form of returning a promise from
 *   `start`, `write`, `close` or `abort`.
 *
 * The controller belongs to its stream and points back at it without a
 * reference: a sink may keep the controller, and once the stream is
 * finalized the controller's methods do nothing.
 */

G_DEFINE_FINAL_TYPE (WStreamDefaultController, wstream_default_controller, G_TYPE_OBJECT)

static void
wstream_default_controller_finalize (GObject *object)
{
  WStreamDefaultController *self = WSTREAM_DEFAULT_CONTROLLER (object);

  g_assert (self->queue.len == 0);
  wstream_ring_clear (&self->queue);
  g_clear_object (&self->abort_cancellable);
  g_clear_error (&self->abort_reason);
  g_clear_object (&self->deferred);

  G_OBJECT_CLASS (wstream_default_controller_parent_class)->finalize (object);
}

static void
wstream_default_controller_class_init (WStreamDefaultControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wstream_default_controller_finalize;
}

static void
wstream_default_controller_init (WStreamDefaultController *self)
{
}

WStreamDefaultController *
wstream_default_controller_new_internal (void)
{
  return g_object_new (WSTREAM_TYPE_DEFAULT_CONTROLLER, NULL);
}

/**
 * wstream_default_controller_error:
 * @self: a #WStreamDefaultController
 * @error: (nullable): the error; %NULL for a %WSTREAM_ERROR_FAILED error
 *
 * Errors the stream, as `controller.error(e)` does: writes not yet given to
 * the sink fail with @error, and so do later calls. Does nothing unless the
 * stream is writable (an erroring, errored or closed stream keeps its
 * state), or once the stream was finalized.
 *
 * A sink calls it when it learns of a failure outside its own operations;
 * an operation that fails just returns %FALSE with the error (or rejects
 * its deferred promise).
 */
void
wstream_default_controller_error (WStreamDefaultController *self,
                                  const GError             *error)
{
  g_autoptr (GError) default_error = NULL;

  g_return_if_fail (WSTREAM_IS_DEFAULT_CONTROLLER (self));

  if (self->stream == NULL)
    return;
  WSTREAM_RETURN_IF_WRONG_THREAD (self->stream->jobs);

  if (self->stream->state != WSTREAM_STATE_WRITABLE)
    return;

  if (error == NULL)
    error = default_error = g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_FAILED,
                                                 "The stream was errored by its controller");

  wstream_writable_stream_controller_error (self, error);
}

/**
 * wstream_default_controller_defer:
 * @self: a #WStreamDefaultController
 *
 * Lets the sink operation being called (`start`, `write`, `close` or
 * `abort`) finish later: call it from inside the vfunc, return %TRUE, and
 * settle the promise you got with [method@WStream.Promise.resolve] or
 * [method@WStream.Promise.reject] when the operation is done, from the
 * stream's main context. The stream goes on from its job queue after the
 * settling call returned, never inside it.
 *
 * Calling it twice during one vfunc call gives the same promise. A promise
 * dropped without being settled rejects with %WSTREAM_ERROR_FAILED, so a
 * forgotten promise errors the stream rather than hanging it.
 *
 * Returns: (transfer full): a pending promise for the current operation, or
 *   %NULL (with a critical) when called outside a sink vfunc
 */
WStreamPromise *
wstream_default_controller_defer (WStreamDefaultController *self)
{
  g_return_val_if_fail (WSTREAM_IS_DEFAULT_CONTROLLER (self), NULL);
  g_return_val_if_fail (self->stream != NULL, NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->stream->jobs, NULL);
  g_return_val_if_fail (self->in_sink_call, NULL);

  if (self->deferred == NULL)
    self->deferred = wstream_promise_new_in (self->stream->jobs);
  return g_object_ref (self->deferred);
}

/**
 * wstream_default_controller_get_cancellable:
 * @self: a #WStreamDefaultController
 *
 * The Standard's `controller.signal`: a #GCancellable that is cancelled
 * when the stream is aborted, synchronously inside the abort call (as an
 * `AbortSignal` fires its listeners), before the sink's `abort` runs.
 *
 * Returns: (transfer none): the cancellable
 */
GCancellable *
wstream_default_controller_get_cancellable (WStreamDefaultController *self)
{
  g_return_val_if_fail (WSTREAM_IS_DEFAULT_CONTROLLER (self), NULL);

  return self->abort_cancellable;
}

/**
 * wstream_default_controller_get_abort_reason:
 * @self: a #WStreamDefaultController
 *
 * Why the stream was aborted: the Standard's `controller.signal.reason`.
 *
 * Returns: (transfer none) (nullable): the reason given to the first abort,
 *   or %NULL if the stream was not aborted
 */
const GError *
wstream_default_controller_get_abort_reason (WStreamDefaultController *self)
{
  g_return_val_if_fail (WSTREAM_IS_DEFAULT_CONTROLLER (self), NULL);

  return self->abort_reason;
}
