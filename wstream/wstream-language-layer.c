/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The small API for language layers: bindings that mirror the Standard's
 * promises with promises of their own language (the GJS web-standard
 * module) and need them to settle in exactly the Standard's order.
 */
#include "wstream-private.h"

/**
 * wstream_promise_set_settled_callback:
 * @self: a #WStreamPromise
 * @func: (scope notified) (closure user_data) (destroy destroy): called
 *   synchronously when @self settles
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when @self is finalized
 *
 * For language layers: makes @self call @func synchronously, inside the
 * call that settles it, before anything that waits on it is queued. If
 * @self has settled already, @func runs before this function returns.
 * @func runs at most once; @destroy runs when @self is finalized.
 *
 * A language layer that mirrors @self with a promise of its own language
 * settles that promise from @func, so that both settle at the same moment
 * of the Standard's algorithms: the reactions of the language's promises
 * then run in the Standard's order relative to the language's own
 * microtasks, which waiting with [method@WStream.Promise.wait_async] (one
 * main-loop job later) cannot give.
 *
 * A promise has one settled callback; setting a second one is a
 * programmer error. C programs have no use for this: use the `_async`
 * functions.
 */
void
wstream_promise_set_settled_callback (WStreamPromise            *self,
                                      WStreamPromiseSettledFunc  func,
                                      gpointer                   user_data,
                                      GDestroyNotify             destroy)
{
  g_return_if_fail (WSTREAM_IS_PROMISE (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (self->settled_func == NULL && self->settled_destroy == NULL);
  WSTREAM_RETURN_IF_WRONG_THREAD (self->queue);

  self->settled_data = user_data;
  self->settled_destroy = destroy;
  if (self->state != WSTREAM_PROMISE_PENDING)
    {
      g_autoptr (WStreamPromise) pinned = g_object_ref (self);

      /* Keep the destroy notify for finalize, but never call @func twice. */
      self->settled_func = NULL;
      func (self, user_data);
      return;
    }
  self->settled_func = func;
}

/**
 * wstream_promise_resolve_now:
 * @self: a #WStreamPromise
 * @value: (nullable): the value to resolve with, copied; %NULL for none
 *
 * For language layers: fulfills @self like [method@WStream.Promise.resolve],
 * but runs the stream's own reactions to it now, inside this call, instead
 * of from the job queue. When @self is a promise that a sink got from
 * [method@WStream.DefaultController.defer], the stream goes on (the next
 * write, the close, the abort) before this call returns — as the Standard's
 * reaction to the promise a JavaScript sink returned does.
 *
 * Only call it from a callback that runs on an empty stack of stream
 * calls, such as a microtask of the binding's language that the binding
 * queued when the sink's own promise settled: it runs sink vfuncs, size
 * functions and settled callbacks synchronously. Callbacks of `_async`
 * callers still run from the job queue.
 *
 * Returns: %TRUE if this call settled @self, %FALSE if it was already
 *   settled
 */
gboolean
wstream_promise_resolve_now (WStreamPromise *self,
                             const GValue   *value)
{
  g_return_val_if_fail (WSTREAM_IS_PROMISE (self), FALSE);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->queue, FALSE);

  return wstream_promise_settle_now (self, value, NULL);
}

/**
 * wstream_promise_reject_now:
 * @self: a #WStreamPromise
 * @error: the reason, copied
 *
 * For language layers: rejects @self like [method@WStream.Promise.reject],
 * and runs the stream's reactions now; see
 * [method@WStream.Promise.resolve_now] for when that is allowed.
 *
 * Returns: %TRUE if this call settled @self, %FALSE if it was already
 *   settled
 */
gboolean
wstream_promise_reject_now (WStreamPromise *self,
                            const GError   *error)
{
  g_return_val_if_fail (WSTREAM_IS_PROMISE (self), FALSE);
  g_return_val_if_fail (error != NULL, FALSE);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->queue, FALSE);

  return wstream_promise_settle_now (self, NULL, error);
}

static WStreamPromise *
rejected_promise (WStreamJobQueue *queue,
                  GError          *error)
{
  g_autoptr (GError) owned = error;
  WStreamPromise *promise = wstream_promise_new_in (queue);

  wstream_promise_settle_rejected (promise, owned);
  return promise;
}

static GError *
closing_error (void)
{
  return g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_CLOSED,
                              "Cannot close an already-closing stream");
}

/**
 * wstream_default_writer_write_promise:
 * @writer: a #WStreamDefaultWriter
 * @chunk: the chunk to write; the stream keeps its own copy until the write
 *   settled
 *
 * For language layers: `writer.write(chunk)` returning the Standard's
 * promise itself. Behaves as [method@WStream.DefaultWriter.write_async]
 * (the sink's `write` and the size function may run inside this call), but
 * gives the write's promise, so that a settled callback can be set on it
 * with [method@WStream.Promise.set_settled_callback]. The promise may have
 * settled already when this returns (a released writer, an errored stream).
 *
 * Returns: (transfer full): the write's promise
 */
WStreamPromise *
wstream_default_writer_write_promise (WStreamDefaultWriter *writer,
                                      const GValue         *chunk)
{
  WStreamPromise *promise;

  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (writer), NULL);
  g_return_val_if_fail (chunk != NULL && G_IS_VALUE (chunk), NULL);
  g_return_val_if_fail (writer->jobs != NULL, NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (writer->jobs, NULL);

  if (writer->stream == NULL)
    return rejected_promise (writer->jobs, wstream_released_writer_error ("write to"));

  promise = wstream_promise_new_in (writer->jobs);
  wstream_writable_stream_writer_write (writer, chunk, promise);
  return promise;
}

/**
 * wstream_default_writer_close_promise:
 * @writer: a #WStreamDefaultWriter
 *
 * For language layers: `writer.close()` returning the Standard's promise;
 * see [method@WStream.DefaultWriter.close_async] and
 * [method@WStream.DefaultWriter.write_promise].
 *
 * Returns: (transfer full): the close's promise
 */
WStreamPromise *
wstream_default_writer_close_promise (WStreamDefaultWriter *writer)
{
  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (writer), NULL);
  g_return_val_if_fail (writer->jobs != NULL, NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (writer->jobs, NULL);

  if (writer->stream == NULL)
    return rejected_promise (writer->jobs, wstream_released_writer_error ("close"));
  if (wstream_writable_stream_close_queued_or_in_flight (writer->stream))
    return rejected_promise (writer->jobs, closing_error ());

  return wstream_writable_stream_writer_close (writer);
}

/**
 * wstream_default_writer_abort_promise:
 * @writer: a #WStreamDefaultWriter
 * @reason: (nullable): why; %NULL for a %WSTREAM_ERROR_ABORTED error
 *
 * For language layers: `writer.abort(reason)` returning the Standard's
 * promise; see [method@WStream.DefaultWriter.abort_async] and
 * [method@WStream.DefaultWriter.write_promise].
 *
 * Returns: (transfer full): the abort's promise
 */
WStreamPromise *
wstream_default_writer_abort_promise (WStreamDefaultWriter *writer,
                                      const GError         *reason)
{
  g_autoptr (GError) default_reason = NULL;

  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (writer), NULL);
  g_return_val_if_fail (writer->jobs != NULL, NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (writer->jobs, NULL);

  if (writer->stream == NULL)
    return rejected_promise (writer->jobs, wstream_released_writer_error ("abort"));

  if (reason == NULL)
    reason = default_reason = g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_ABORTED,
                                                   "The stream was aborted");
  return wstream_writable_stream_writer_abort (writer, reason);
}

/**
 * wstream_writable_stream_close_promise:
 * @stream: a #WStreamWritableStream
 *
 * For language layers: `stream.close()` returning the Standard's promise;
 * see [method@WStream.WritableStream.close_async] and
 * [method@WStream.DefaultWriter.write_promise].
 *
 * Returns: (transfer full): the close's promise
 */
WStreamPromise *
wstream_writable_stream_close_promise (WStreamWritableStream *stream)
{
  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (stream), NULL);
  g_return_val_if_fail (stream->jobs != NULL, NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (stream->jobs, NULL);

  if (stream->writer != NULL)
    return rejected_promise (stream->jobs,
                             g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_LOCKED,
                                                  "Cannot close a stream that already has a writer"));
  if (wstream_writable_stream_close_queued_or_in_flight (stream))
    return rejected_promise (stream->jobs, closing_error ());

  return wstream_writable_stream_close_internal (stream);
}

/**
 * wstream_writable_stream_abort_promise:
 * @stream: a #WStreamWritableStream
 * @reason: (nullable): why; %NULL for a %WSTREAM_ERROR_ABORTED error
 *
 * For language layers: `stream.abort(reason)` returning the Standard's
 * promise; see [method@WStream.WritableStream.abort_async] and
 * [method@WStream.DefaultWriter.write_promise].
 *
 * Returns: (transfer full): the abort's promise
 */
WStreamPromise *
wstream_writable_stream_abort_promise (WStreamWritableStream *stream,
                                       const GError          *reason)
{
  g_autoptr (GError) default_reason = NULL;

  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (stream), NULL);
  g_return_val_if_fail (stream->jobs != NULL, NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (stream->jobs, NULL);

  if (stream->writer != NULL)
    return rejected_promise (stream->jobs,
                             g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_LOCKED,
                                                  "Cannot abort a stream that already has a writer"));

  if (reason == NULL)
    reason = default_reason = g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_ABORTED,
                                                   "The stream was aborted");
  return wstream_writable_stream_abort_internal (stream, reason);
}

/* ---------------------------------------------------------------------- */
/* WStreamLanguageSink                                                     */
/* ---------------------------------------------------------------------- */

/**
 * WStreamLanguageSink:
 *
 * A sink for language layers whose runtime must not be called back from C
 * in the middle of a call into C.
 *
 * GJS 1.74 refuses any call from C into JavaScript while an incremental
 * garbage collection is in progress ("Attempting to run a JS callback
 * during garbage collection"), and JavaScript code runs between the slices
 * of such a collection: a binding whose sink vfuncs and settled callbacks
 * run nested inside its calls into the stream loses some of them under
 * memory pressure. A #WStreamLanguageSink never calls out. It records, in
 * the order they happen, what the binding has to act on — the sink
 * operations the stream calls (each one finishing later through the
 * controller's deferred promise), the settling of the promises the binding
 * watches, the abort signal — and the binding reads the events with
 * [method@WStream.LanguageSink.next_event] after each call into the
 * stream, then runs its own code for them in that order.
 *
 * - Make the stream with the language sink, and with the strategy from
 *   [method@WStream.LanguageSink.new_strategy] if chunks are measured by
 *   the binding: before each write, the binding measures the chunk and
 *   hands the size (or the failure) in with
 *   [method@WStream.LanguageSink.set_next_size].
 * - Write with [method@WStream.LanguageSink.write]; watch any other promise
 *   (close, abort, the writer's ready and closed) with
 *   [method@WStream.LanguageSink.watch].
 * - Finish the sink operation of an event with
 *   [method@WStream.LanguageSink.settle] once the binding's sink method
 *   finished; the stream goes on inside that call (see
 *   [method@WStream.Promise.resolve_now]), so read the events again after
 *   it.
 *
 * The sink runs at most one operation at a time, as every sink does.
 */

typedef struct {
  WStreamLanguageEventKind kind;
  guint                    tag;
  GValue                   chunk;
  GError                  *error;
} LanguageEvent;

struct _WStreamLanguageSink
{
  GObject parent_instance;

  GQueue                    events;        /* of LanguageEvent * */
  LanguageEvent            *current;
  guint                     next_tag;
  GHashTable               *watched;       /* WStreamPromise * → tag, weak */

  WStreamPromise           *operation;     /* the deferred of the operation in progress */
  guint                     operation_tag;
  WStreamDefaultController *controller;    /* weak */

  double                    next_size;
  GError                   *next_size_error;
};

static void wstream_language_sink_iface_init (WStreamSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WStreamLanguageSink, wstream_language_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK,
                                                      wstream_language_sink_iface_init))

static void
language_event_free (LanguageEvent *event)
{
  if (G_IS_VALUE (&event->chunk))
    g_value_unset (&event->chunk);
  g_clear_error (&event->error);
  g_free (event);
}

static LanguageEvent *
push_event (WStreamLanguageSink      *self,
            WStreamLanguageEventKind  kind,
            guint                     tag,
            const GError             *error)
{
  LanguageEvent *event = g_new0 (LanguageEvent, 1);

  event->kind = kind;
  event->tag = tag;
  event->error = error ? g_error_copy (error) : NULL;
  g_queue_push_tail (&self->events, event);
  return event;
}

static guint
new_tag (WStreamLanguageSink *self)
{
  if (++self->next_tag == 0)
    self->next_tag = 1;
  return self->next_tag;
}

static void
unwatch_weak_notify (gpointer  data,
                     GObject  *where_the_object_was)
{
  WStreamLanguageSink *self = data;

  g_hash_table_remove (self->watched, where_the_object_was);
}

static void
wstream_language_sink_dispose (GObject *object)
{
  WStreamLanguageSink *self = WSTREAM_LANGUAGE_SINK (object);
  GHashTableIter iter;
  gpointer promise;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &promise, NULL))
    {
      g_object_weak_unref (promise, unwatch_weak_notify, self);
      g_hash_table_iter_remove (&iter);
    }
  g_clear_weak_pointer (&self->controller);
  g_clear_object (&self->operation);

  G_OBJECT_CLASS (wstream_language_sink_parent_class)->dispose (object);
}

static void
wstream_language_sink_finalize (GObject *object)
{
  WStreamLanguageSink *self = WSTREAM_LANGUAGE_SINK (object);

  g_queue_clear_full (&self->events, (GDestroyNotify) language_event_free);
  g_clear_pointer (&self->current, language_event_free);
  g_hash_table_unref (self->watched);
  g_clear_error (&self->next_size_error);

  G_OBJECT_CLASS (wstream_language_sink_parent_class)->finalize (object);
}

static void
wstream_language_sink_class_init (WStreamLanguageSinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wstream_language_sink_dispose;
  object_class->finalize = wstream_language_sink_finalize;
}

static void
wstream_language_sink_init (WStreamLanguageSink *self)
{
  g_queue_init (&self->events);
  self->watched = g_hash_table_new (NULL, NULL);
}

/* Every operation finishes later: the binding runs its own method after the
 * call into the stream returned, and settles the operation then. */
static void
begin_operation (WStreamLanguageSink      *self,
                 WStreamLanguageEventKind  kind,
                 WStreamDefaultController *controller,
                 const GValue             *chunk,
                 const GError             *reason)
{
  LanguageEvent *event;

  g_clear_object (&self->operation);
  self->operation = wstream_default_controller_defer (controller);
  self->operation_tag = new_tag (self);
  event = push_event (self, kind, self->operation_tag, reason);
  if (chunk != NULL)
    {
      g_value_init (&event->chunk, G_VALUE_TYPE (chunk));
      g_value_copy (chunk, &event->chunk);
    }
}

static void
abort_signal_cb (GCancellable *cancellable,
                 gpointer      user_data)
{
  WStreamLanguageSink *self = user_data;
  const GError *reason = NULL;

  if (self->controller != NULL)
    reason = wstream_default_controller_get_abort_reason (self->controller);
  push_event (self, WSTREAM_LANGUAGE_EVENT_ABORT_SIGNAL, 0, reason);
}

static gboolean
language_sink_start (WStreamSink               *sink,
                     WStreamDefaultController  *controller,
                     GError                   **error)
{
  WStreamLanguageSink *self = WSTREAM_LANGUAGE_SINK (sink);

  g_set_weak_pointer (&self->controller, controller);
  g_signal_connect_object (wstream_default_controller_get_cancellable (controller), "cancelled",
                           G_CALLBACK (abort_signal_cb), self, 0);
  begin_operation (self, WSTREAM_LANGUAGE_EVENT_START, controller, NULL, NULL);
  return TRUE;
}

static gboolean
language_sink_write (WStreamSink               *sink,
                     const GValue              *chunk,
                     WStreamDefaultController  *controller,
                     GError                   **error)
{
  begin_operation (WSTREAM_LANGUAGE_SINK (sink), WSTREAM_LANGUAGE_EVENT_WRITE, controller, chunk, NULL);
  return TRUE;
}

static gboolean
language_sink_close (WStreamSink               *sink,
                     WStreamDefaultController  *controller,
                     GError                   **error)
{
  begin_operation (WSTREAM_LANGUAGE_SINK (sink), WSTREAM_LANGUAGE_EVENT_CLOSE, controller, NULL, NULL);
  return TRUE;
}

static gboolean
language_sink_abort (WStreamSink               *sink,
                     const GError              *reason,
                     WStreamDefaultController  *controller,
                     GError                   **error)
{
  begin_operation (WSTREAM_LANGUAGE_SINK (sink), WSTREAM_LANGUAGE_EVENT_ABORT, controller, NULL, reason);
  return TRUE;
}

static void
wstream_language_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->start = language_sink_start;
  iface->write = language_sink_write;
  iface->close = language_sink_close;
  iface->abort = language_sink_abort;
}

/**
 * wstream_language_sink_new:
 *
 * Makes a sink that records what a language layer has to do instead of
 * calling it; see #WStreamLanguageSink.
 *
 * Returns: (transfer full): a new #WStreamLanguageSink
 */
WStreamLanguageSink *
wstream_language_sink_new (void)
{
  return g_object_new (WSTREAM_TYPE_LANGUAGE_SINK, NULL);
}

static gboolean
next_size_func (const GValue  *chunk,
                double        *out_size,
                gpointer       user_data,
                GError       **error)
{
  WStreamLanguageSink *self = user_data;
  double size = self->next_size;

  self->next_size = 1;
  if (self->next_size_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->next_size_error));
      return FALSE;
    }
  *out_size = size;
  return TRUE;
}

/**
 * wstream_language_sink_new_strategy:
 * @self: a #WStreamLanguageSink
 * @high_water_mark: the high-water mark
 * @error: return location for an error
 *
 * A custom queuing strategy whose size function returns what the binding
 * handed in with [method@WStream.LanguageSink.set_next_size] (or fails
 * with what [method@WStream.LanguageSink.set_next_size_error] handed in)
 * before the write: the binding runs its own size function first, then
 * writes.
 *
 * Returns: (transfer full): the strategy, or %NULL with
 *   %WSTREAM_ERROR_INVALID_HIGH_WATER_MARK
 */
WStreamQueuingStrategy *
wstream_language_sink_new_strategy (WStreamLanguageSink  *self,
                                    double                high_water_mark,
                                    GError              **error)
{
  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), NULL);

  return wstream_queuing_strategy_new_custom (high_water_mark, next_size_func,
                                              g_object_ref (self), g_object_unref, error);
}

/**
 * wstream_language_sink_set_next_size:
 * @self: a #WStreamLanguageSink
 * @size: the size of the chunk about to be written
 *
 * Hands in the size of the next chunk for the strategy of
 * [method@WStream.LanguageSink.new_strategy]; the stream checks it as it
 * checks any size.
 */
void
wstream_language_sink_set_next_size (WStreamLanguageSink *self,
                                     double               size)
{
  g_return_if_fail (WSTREAM_IS_LANGUAGE_SINK (self));

  g_clear_error (&self->next_size_error);
  self->next_size = size;
}

/**
 * wstream_language_sink_set_next_size_error:
 * @self: a #WStreamLanguageSink
 * @error: why the binding's size function failed
 *
 * Makes the size function of the strategy of
 * [method@WStream.LanguageSink.new_strategy] fail with @error for the next
 * chunk, as a throwing `size()` does.
 */
void
wstream_language_sink_set_next_size_error (WStreamLanguageSink *self,
                                           const GError        *error)
{
  g_return_if_fail (WSTREAM_IS_LANGUAGE_SINK (self));
  g_return_if_fail (error != NULL);

  g_clear_error (&self->next_size_error);
  self->next_size_error = g_error_copy (error);
}

typedef struct {
  WStreamLanguageSink *sink;
  guint                tag;
} Watch;

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  g_object_unref (watch->sink);
  g_free (watch);
}

static void
watch_settled_cb (WStreamPromise *promise,
                  gpointer        data)
{
  Watch *watch = data;

  if (wstream_promise_get_state (promise) == WSTREAM_PROMISE_FULFILLED)
    push_event (watch->sink, WSTREAM_LANGUAGE_EVENT_FULFILLED, watch->tag, NULL);
  else
    push_event (watch->sink, WSTREAM_LANGUAGE_EVENT_REJECTED, watch->tag,
                wstream_promise_get_error (promise));
}

static guint
watch_promise (WStreamLanguageSink *self,
               WStreamPromise      *promise,
               gboolean             remember)
{
  Watch *watch = g_new (Watch, 1);

  watch->sink = g_object_ref (self);
  watch->tag = new_tag (self);
  if (remember)
    {
      g_hash_table_insert (self->watched, promise, GUINT_TO_POINTER (watch->tag));
      g_object_weak_ref (G_OBJECT (promise), unwatch_weak_notify, self);
    }
  wstream_promise_set_settled_callback (promise, watch_settled_cb, watch, watch_free);
  return watch->tag;
}

/**
 * wstream_language_sink_watch:
 * @self: a #WStreamLanguageSink
 * @promise: a promise of the stream
 *
 * Records the settling of @promise as a %WSTREAM_LANGUAGE_EVENT_FULFILLED or
 * %WSTREAM_LANGUAGE_EVENT_REJECTED event with the returned tag. A promise
 * that settled already gives its event now. Watching a promise again gives
 * the tag it got the first time (the Standard returns the same promise
 * twice in places: a second abort, the writer's ready).
 *
 * Returns: the tag of @promise's events
 */
guint
wstream_language_sink_watch (WStreamLanguageSink *self,
                             WStreamPromise      *promise)
{
  gpointer tag;

  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), 0);
  g_return_val_if_fail (WSTREAM_IS_PROMISE (promise), 0);

  if (g_hash_table_lookup_extended (self->watched, promise, NULL, &tag))
    return GPOINTER_TO_UINT (tag);
  return watch_promise (self, promise, TRUE);
}

/**
 * wstream_language_sink_watch_ready:
 * @self: a #WStreamLanguageSink
 * @writer: a writer
 *
 * [method@WStream.LanguageSink.watch] on the writer's current ready promise
 * ([method@WStream.DefaultWriter.get_ready]) without handing the promise
 * out: the tag stays the same as long as the promise does.
 *
 * Returns: the tag of the ready promise's events
 */
guint
wstream_language_sink_watch_ready (WStreamLanguageSink  *self,
                                   WStreamDefaultWriter *writer)
{
  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), 0);
  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (writer), 0);

  return wstream_language_sink_watch (self, wstream_default_writer_get_ready (writer));
}

/**
 * wstream_language_sink_watch_closed:
 * @self: a #WStreamLanguageSink
 * @writer: a writer
 *
 * [method@WStream.LanguageSink.watch] on the writer's current closed
 * promise ([method@WStream.DefaultWriter.get_closed]) without handing the
 * promise out.
 *
 * Returns: the tag of the closed promise's events
 */
guint
wstream_language_sink_watch_closed (WStreamLanguageSink  *self,
                                    WStreamDefaultWriter *writer)
{
  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), 0);
  g_return_val_if_fail (WSTREAM_IS_DEFAULT_WRITER (writer), 0);

  return wstream_language_sink_watch (self, wstream_default_writer_get_closed (writer));
}

/**
 * wstream_language_sink_write:
 * @self: a #WStreamLanguageSink
 * @writer: the writer of the stream whose sink @self is
 * @chunk: the chunk
 *
 * `writer.write(chunk)` with its promise watched: the same as
 * [method@WStream.DefaultWriter.write_promise] and
 * [method@WStream.LanguageSink.watch], without handing the promise out.
 *
 * Returns: the tag of the write's events
 */
guint
wstream_language_sink_write (WStreamLanguageSink  *self,
                             WStreamDefaultWriter *writer,
                             const GValue         *chunk)
{
  g_autoptr (WStreamPromise) promise = NULL;

  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), 0);

  promise = wstream_default_writer_write_promise (writer, chunk);
  g_return_val_if_fail (promise != NULL, 0);
  return watch_promise (self, promise, FALSE);
}

/**
 * wstream_language_sink_next_event:
 * @self: a #WStreamLanguageSink
 * @tag: (out): the tag of the event: a watched promise's tag, or the
 *   operation to settle for a sink operation
 *
 * Takes the oldest recorded event; it becomes the current one, whose chunk
 * and error [method@WStream.LanguageSink.get_event_chunk] and
 * [method@WStream.LanguageSink.get_event_error] give.
 *
 * Returns: the kind of the event, %WSTREAM_LANGUAGE_EVENT_NONE when none is
 *   left
 */
WStreamLanguageEventKind
wstream_language_sink_next_event (WStreamLanguageSink *self,
                                  guint               *tag)
{
  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), WSTREAM_LANGUAGE_EVENT_NONE);

  g_clear_pointer (&self->current, language_event_free);
  self->current = g_queue_pop_head (&self->events);
  if (self->current == NULL)
    {
      if (tag != NULL)
        *tag = 0;
      return WSTREAM_LANGUAGE_EVENT_NONE;
    }
  if (tag != NULL)
    *tag = self->current->tag;
  return self->current->kind;
}

/**
 * wstream_language_sink_get_event_chunk:
 * @self: a #WStreamLanguageSink
 *
 * The chunk of the current %WSTREAM_LANGUAGE_EVENT_WRITE event.
 *
 * Returns: (transfer none) (nullable): the chunk, or %NULL if the current
 *   event has none
 */
const GValue *
wstream_language_sink_get_event_chunk (WStreamLanguageSink *self)
{
  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), NULL);

  if (self->current == NULL || !G_IS_VALUE (&self->current->chunk))
    return NULL;
  return &self->current->chunk;
}

/**
 * wstream_language_sink_get_event_error:
 * @self: a #WStreamLanguageSink
 *
 * The error of the current event: the reason of a rejected promise, of a
 * sink abort, of the abort signal.
 *
 * Returns: (transfer none) (nullable): the error, or %NULL if the current
 *   event has none
 */
const GError *
wstream_language_sink_get_event_error (WStreamLanguageSink *self)
{
  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), NULL);

  return self->current ? self->current->error : NULL;
}

/**
 * wstream_language_sink_settle:
 * @self: a #WStreamLanguageSink
 * @operation: the tag of the sink operation's event
 * @error: (nullable): why the operation failed, or %NULL if it succeeded
 *
 * Finishes the sink operation @operation, as the binding's sink method
 * finished, and lets the stream go on inside this call (as
 * [method@WStream.Promise.resolve_now] does). Call it from the reaction to
 * the binding's own promise, on an empty stack. Events may have been
 * recorded when it returns.
 *
 * Returns: %TRUE if @operation was the operation in progress and is now
 *   settled, %FALSE otherwise
 */
gboolean
wstream_language_sink_settle (WStreamLanguageSink *self,
                              guint                operation,
                              const GError        *error)
{
  g_autoptr (WStreamPromise) promise = NULL;

  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), FALSE);

  if (self->operation == NULL || operation != self->operation_tag)
    return FALSE;
  promise = g_steal_pointer (&self->operation);
  return wstream_promise_settle_now (promise, NULL, error);
}

/**
 * wstream_language_sink_get_controller:
 * @self: a #WStreamLanguageSink
 *
 * The controller of the stream whose sink @self is, from its `start` on.
 *
 * Returns: (transfer none) (nullable): the controller, or %NULL before the
 *   stream started or once it is gone
 */
WStreamDefaultController *
wstream_language_sink_get_controller (WStreamLanguageSink *self)
{
  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), NULL);

  return self->controller;
}

/**
 * wstream_language_sink_wants_size:
 * @self: a #WStreamLanguageSink
 *
 * Whether a write now would call the strategy's size function: the
 * Standard's size algorithm is still defined (the stream did not clear its
 * algorithms by closing, aborting or erroring through its controller). The
 * binding runs its own size function only then, as the Standard does.
 *
 * Returns: %TRUE if the next write measures its chunk
 */
gboolean
wstream_language_sink_wants_size (WStreamLanguageSink *self)
{
  g_return_val_if_fail (WSTREAM_IS_LANGUAGE_SINK (self), FALSE);

  return self->controller != NULL && self->controller->stream != NULL &&
         !self->controller->algorithms_cleared && !self->controller->count_size;
}
