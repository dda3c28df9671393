/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The writable stream and every abstract operation of the Streams Standard's
 * "Writable streams" sections, in the Standard's order:
 *
 *   https://streams.spec.whatwg.org/#ws-abstract-ops
 *
 * Each abstract operation is one static function named after it. Promises
 * the public sees are WStreamPromise objects (or lazily made promise slots
 * for the writer's ready and closed promises); "upon fulfillment/rejection"
 * of a promise a sink returned is a job on the context's job queue, exactly
 * one job after the settlement, as a microtask is in JavaScript.
 *
 * Ownership: the stream owns its controller, its sink and its strategy; the
 * controller points back without a reference. A writer owns a reference on
 * its stream while it holds the lock; the stream points at the writer
 * without one, and a writer dropped while it holds the lock releases it.
 * Work in progress (a sink operation that settles later, a queued job) holds
 * a reference on the stream until it ran, so dropping every reference in the
 * middle of an operation is safe and everything is finalized once it settled.
 */
#include <math.h>

#include "wstream-private.h"

/**
 * WStreamWritableStream:
 *
 * A destination for data, written one chunk at a time, with backpressure:
 * the Streams Standard's `WritableStream`.
 *
 * A stream has an underlying sink (a #WStreamSink) that receives the chunks
 * one at a time, and a queue in front of it whose size a
 * #WStreamQueuingStrategy measures. Write through a #WStreamDefaultWriter,
 * which [method@WStream.WritableStream.get_writer] gives you and which locks
 * the stream to it.
 *
 * A stream belongs to the thread-default main context of the thread that
 * made it: every callback of the stream, its writer and its controller runs
 * there, and they are to be used from that thread only.
 *
 * The stream keeps itself alive while the sink has an operation in progress
 * (a sink that settles a deferred promise later, or a job that is queued):
 * you may drop your references at any time. A writer keeps its stream
 * alive; dropping the last reference to a writer that still holds the lock
 * releases the lock.
 */

enum {
  PROP_0,
  PROP_SINK,
  PROP_STRATEGY,
  PROP_STATE,
  PROP_LOCKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void wstream_writable_stream_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WStreamWritableStream, wstream_writable_stream, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      wstream_writable_stream_initable_iface_init))

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */
/* ---------------------------------------------------------------------- */

/* A stream made with g_object_new() (a binding's default constructor)
 * without g_initable_init() has no controller: refuse, do not crash. */
#define RETURN_VAL_IF_UNINITIALIZED(self, val)                                   \
  G_STMT_START {                                                                 \
    if (G_UNLIKELY ((self)->controller == NULL))                                 \
      {                                                                          \
        g_critical ("%s: the stream was not initialized: make it with "          \
                    "wstream_writable_stream_new() (WritableStream.new() in "    \
                    "bindings) or call g_initable_init()", G_STRFUNC);           \
        return val;                                                              \
      }                                                                          \
  } G_STMT_END
#define RETURN_IF_UNINITIALIZED(self) RETURN_VAL_IF_UNINITIALIZED (self, )

static void
notify_job (gpointer a,
            gpointer b)
{
  g_autoptr (GObject) object = a;

  g_object_notify_by_pspec (object, b);
}

/* Property notifications are user callbacks too: they run from the job
 * queue, never inside the call that changed the property. */
static void
queue_notify (WStreamWritableStream *stream,
              guint                  prop_id)
{
  wstream_job_queue_push (stream->jobs, notify_job, g_object_ref (stream), properties[prop_id]);
}

static void
set_state (WStreamWritableStream *stream,
           WStreamState           state)
{
  stream->state = state;
  queue_notify (stream, PROP_STATE);
}

static WStreamPromise *
promise_resolved_with (WStreamWritableStream *stream)
{
  WStreamPromise *promise = wstream_promise_new_in (stream->jobs);

  wstream_promise_settle_fulfilled (promise, NULL);
  return promise;
}

static WStreamPromise *
promise_rejected_with (WStreamWritableStream *stream,
                       const GError          *error)
{
  WStreamPromise *promise = wstream_promise_new_in (stream->jobs);

  wstream_promise_settle_rejected (promise, error);
  return promise;
}

/* Settles a promise that may be NULL: a write nobody waits for. */
static void
resolve_promise (WStreamPromise *promise)
{
  if (promise != NULL)
    wstream_promise_settle_fulfilled (promise, NULL);
}

static void
reject_promise (WStreamPromise *promise,
                const GError   *error)
{
  if (promise != NULL)
    wstream_promise_settle_rejected (promise, error);
}

static GError *
released_error (void)
{
  return g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_RELEASED,
                              "Writer was released and can no longer be used to "
                              "monitor the stream's closedness");
}

/* ---------------------------------------------------------------------- */
/* Calling the sink                                                        */
/* ---------------------------------------------------------------------- */

typedef enum {
  SINK_START,
  SINK_WRITE,
  SINK_CLOSE,
  SINK_ABORT,
} SinkOperation;

typedef struct {
  GError         *error;     /* the operation failed now */
  WStreamPromise *deferred;  /* the operation settles later */
} SinkResult;

/* Calls one of the sink's vfuncs (the controller's [[writeAlgorithm]] and
 * friends). The caller holds a reference on the stream. Inline, so that
 * each caller's @operation is a constant. */
G_ALWAYS_INLINE static inline void
call_sink (WStreamWritableStream *stream,
           SinkOperation          operation,
           const GValue          *chunk,
           const GError          *reason,
           SinkResult            *result)
{
  WStreamDefaultController *controller = stream->controller;
  WStreamSinkInterface *iface = stream->sink_iface;
  WStreamSink *sink = stream->sink;
  g_autoptr (GError) error = NULL;
  gboolean saved_in_call = controller->in_sink_call;
  WStreamPromise *saved_deferred = controller->deferred;
  WStreamPromise *deferred;
  gboolean ok = TRUE;

  /* The stream holds the sink, and something holds the stream across this
   * call (its busy reference, or the caller's pin). */
  result->error = NULL;
  result->deferred = NULL;

  if (sink == NULL)
    return;

  controller->in_sink_call = TRUE;
  controller->deferred = NULL;

  switch (operation)
    {
    case SINK_START:
      if (iface->start != NULL)
        ok = iface->start (sink, controller, &error);
      break;
    case SINK_WRITE:
      if (iface->write != NULL)
        ok = iface->write (sink, chunk, controller, &error);
      break;
    case SINK_CLOSE:
      if (iface->close != NULL)
        ok = iface->close (sink, controller, &error);
      break;
    case SINK_ABORT:
      if (iface->abort != NULL)
        ok = iface->abort (sink, reason, controller, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  deferred = controller->deferred;
  controller->deferred = saved_deferred;
  controller->in_sink_call = saved_in_call;

  if (G_UNLIKELY (!ok || error != NULL))
    {
      if (error == NULL)
        error = g_error_new (WSTREAM_ERROR, WSTREAM_ERROR_FAILED,
                             "The sink's %s failed without saying why",
                             operation == SINK_START ? "start" :
                             operation == SINK_WRITE ? "write" :
                             operation == SINK_CLOSE ? "close" : "abort");
      result->error = g_steal_pointer (&error);
      g_clear_object (&deferred);
      return;
    }

  result->deferred = deferred;
}

/* The stream's reference on itself while its start, or an operation marked
 * in flight, runs: pending work keeps the stream alive, and handing the
 * reference from one write to the next costs nothing per write. */
static void
hold_busy_ref (WStreamWritableStream *stream)
{
  if (!stream->holds_busy_ref)
    {
      stream->holds_busy_ref = TRUE;
      g_object_ref (stream);
    }
}

/* Call last: it may finalize the stream. */
static void
release_busy_ref_if_idle (WStreamWritableStream *stream)
{
  if (stream->holds_busy_ref &&
      stream->writer == NULL &&   /* a locked writer keeps the stream alive */
      stream->controller->started &&
      !stream->write_in_flight &&
      stream->in_flight_close_request == NULL)
    {
      stream->holds_busy_ref = FALSE;
      g_object_unref (stream);
    }
}

typedef struct {
  WStreamWritableStream *stream;
  WStreamJobFunc         continuation;
} SinkReaction;

static void
sink_reaction_cb (WStreamPromise *settled,
                  gpointer        data)
{
  SinkReaction *reaction = data;
  const GError *error = wstream_promise_get_error (settled);

  reaction->continuation (reaction->stream, error ? g_error_copy (error) : NULL);
}

static void
sink_reaction_free (gpointer data)
{
  SinkReaction *reaction = data;

  g_object_unref (reaction->stream);
  g_free (reaction);
}

/* "Upon fulfillment / upon rejection" of what the sink returned: the
 * continuation runs as a job with the stream (kept alive by its busy
 * reference) and the error (NULL on fulfillment), which it owns. */
static void
upon_sink_result (WStreamWritableStream *stream,
                  SinkResult            *result,
                  WStreamJobFunc         continuation)
{
  if (result->deferred != NULL)
    {
      SinkReaction *reaction = g_new (SinkReaction, 1);

      reaction->stream = g_object_ref (stream);
      reaction->continuation = continuation;
      wstream_promise_add_reaction (result->deferred, sink_reaction_cb, reaction, sink_reaction_free);
      g_clear_object (&result->deferred);
    }
  else
    {
      wstream_job_queue_push (stream->jobs, continuation, stream,
                              g_steal_pointer (&result->error));
    }
}

/* ---------------------------------------------------------------------- */
/* Queue-with-sizes (https://streams.spec.whatwg.org/#queue-with-sizes)   */
/* ---------------------------------------------------------------------- */

/* Chunks are copied into the queue and freed when their write settled;
 * GBytes, the common chunk, skips the GValue machinery. */
static GType bytes_type;

static inline void
chunk_copy (GValue       *dest,
            const GValue *src)
{
  if (G_LIKELY (G_VALUE_TYPE (src) == bytes_type))
    {
      dest->g_type = bytes_type;
      dest->data[0].v_pointer = src->data[0].v_pointer ? g_bytes_ref (src->data[0].v_pointer) : NULL;
      dest->data[1].v_uint = 0;
      return;
    }
  g_value_init (dest, G_VALUE_TYPE (src));
  g_value_copy (src, dest);
}

static inline void
chunk_free (GValue *chunk)
{
  if (G_LIKELY (G_VALUE_TYPE (chunk) == bytes_type))
    {
      if (chunk->data[0].v_pointer != NULL)
        g_bytes_unref (chunk->data[0].v_pointer);
      chunk->g_type = G_TYPE_INVALID;
      return;
    }
  g_value_unset (chunk);
}

/* The length of the controller's queue entries: a count strategy's leave
 * out the size (WStreamQueueEntry). */
static inline gsize
queue_entry_size (WStreamDefaultController *container)
{
  return container->count_size ? sizeof (GValue) : sizeof (WStreamQueueEntry);
}

/* https://streams.spec.whatwg.org/#dequeue-value */
G_ALWAYS_INLINE static inline void
dequeue_value (WStreamDefaultController *container)
{
  WStreamQueueEntry *head;
  GValue chunk;
  double size;

  g_assert (container->queue.len > 0);

  /* Off the ring before the chunk is freed: freeing may run user code
   * (a GBytes free function) that queues more. */
  head = wstream_ring_peek_head (&container->queue, queue_entry_size (container));
  chunk = head->chunk;
  if (container->count_size)
    size = G_VALUE_TYPE (&chunk) != G_TYPE_INVALID ? 1 : 0;
  else
    size = head->size;
  wstream_ring_drop_head (&container->queue);
  container->queue_total_size -= size;
  if (container->queue_total_size < 0)
    container->queue_total_size = 0;   /* "because of rounding errors" */
  if (G_VALUE_TYPE (&chunk) != G_TYPE_INVALID)
    chunk_free (&chunk);
}

/* https://streams.spec.whatwg.org/#enqueue-value-with-size
 * A NULL value is the close sentinel. A GBytes chunk is the caller's: the
 * queue takes a reference. Any other chunk is a copy the writer made for
 * the queue (see writable_stream_default_writer_write()): the queue takes
 * it over and @value is left unset. Nothing here runs user code. The size
 * was validated by wstream_queuing_strategy_size(), or is 0 or 1. */
G_ALWAYS_INLINE static inline void
enqueue_value_with_size (WStreamDefaultController *container,
                         GValue                   *value,
                         double                    size)
{
  WStreamQueueEntry *slot;

  slot = wstream_ring_push_slot (&container->queue, queue_entry_size (container));
  if (container->count_size)
    g_assert (size == (value != NULL ? 1 : 0));
  else
    {
      g_assert (!isnan (size) && size >= 0 && !isinf (size));
      slot->size = size;
    }
  if (value == NULL)
    memset (&slot->chunk, 0, sizeof slot->chunk);
  else if (G_LIKELY (G_VALUE_TYPE (value) == bytes_type))
    chunk_copy (&slot->chunk, value);
  else
    {
      slot->chunk = *value;
      memset (value, 0, sizeof *value);
    }
  container->queue_total_size += size;
}

/* https://streams.spec.whatwg.org/#peek-queue-value
 * Only the entry's chunk may be read (see WStreamQueueEntry). */
static WStreamQueueEntry *
peek_queue_value (WStreamDefaultController *container)
{
  g_assert (container->queue.len > 0);

  return wstream_ring_peek_head (&container->queue, queue_entry_size (container));
}

/* https://streams.spec.whatwg.org/#reset-queue */
static void
reset_queue (WStreamDefaultController *container)
{
  while (container->queue.len > 0)
    dequeue_value (container);
  wstream_ring_clear (&container->queue);
  container->queue_total_size = 0;
}

/* Forward declarations: the Standard's algorithms call each other freely. */
static gboolean is_writable_stream_locked (WStreamWritableStream *stream);
static void writable_stream_deal_with_rejection (WStreamWritableStream *stream, const GError *error);
static void writable_stream_finish_erroring (WStreamWritableStream *stream);
static gboolean writable_stream_has_operation_marked_in_flight (WStreamWritableStream *stream);
static void writable_stream_reject_close_and_closed_promise_if_needed (WStreamWritableStream *stream);
static void writable_stream_start_erroring (WStreamWritableStream *stream, const GError *reason);
static void writable_stream_update_backpressure (WStreamWritableStream *stream, gboolean backpressure);
static void writable_stream_default_writer_ensure_ready_promise_rejected (WStreamDefaultWriter *writer, const GError *error);
static void writable_stream_default_controller_advance_queue_if_needed (WStreamDefaultController *controller);
static void writable_stream_default_controller_clear_algorithms (WStreamDefaultController *controller);
static void writable_stream_default_controller_close (WStreamDefaultController *controller);
static void writable_stream_default_controller_error (WStreamDefaultController *controller, const GError *error);
static void writable_stream_default_controller_error_if_needed (WStreamDefaultController *controller, const GError *error);
static gboolean writable_stream_default_controller_get_backpressure (WStreamDefaultController *controller);
static double writable_stream_default_controller_get_chunk_size (WStreamDefaultController *controller, const GValue *chunk);
static double writable_stream_default_controller_get_desired_size (WStreamDefaultController *controller);
static void writable_stream_default_controller_write (WStreamDefaultController *controller, GValue *chunk, double chunk_size);
static WStreamPromise *default_controller_abort_steps (WStreamDefaultController *controller, const GError *reason);
static void default_controller_error_steps (WStreamDefaultController *controller);

/* ---------------------------------------------------------------------- */
/* Working with writable streams                                           */
/* ---------------------------------------------------------------------- */

/* https://streams.spec.whatwg.org/#initialize-writable-stream */
static void
initialize_writable_stream (WStreamWritableStream *stream)
{
  stream->state = WSTREAM_STATE_WRITABLE;
  g_clear_error (&stream->stored_error);
  stream->writer = NULL;
  stream->controller = NULL;
  stream->write_in_flight = FALSE;
  stream->in_flight_write_request = NULL;
  stream->close_request = NULL;
  stream->in_flight_close_request = NULL;
  stream->pending_abort_request.present = FALSE;
  stream->backpressure = FALSE;
}

/* https://streams.spec.whatwg.org/#is-writable-stream-locked */
static gboolean
is_writable_stream_locked (WStreamWritableStream *stream)
{
  return stream->writer != NULL;
}

/* https://streams.spec.whatwg.org/#set-up-writable-stream-default-writer
 * The caller checked that the stream is not locked (the TypeError). */
static void
set_up_writable_stream_default_writer (WStreamDefaultWriter  *writer,
                                       WStreamWritableStream *stream)
{
  WStreamState state;

  g_assert (!is_writable_stream_locked (stream));

  writer->stream = g_object_ref (stream);
  writer->jobs = wstream_job_queue_ref (stream->jobs);
  stream->writer = writer;
  queue_notify (stream, PROP_LOCKED);

  state = stream->state;
  if (state == WSTREAM_STATE_WRITABLE)
    {
      if (!wstream_writable_stream_close_queued_or_in_flight (stream) && stream->backpressure)
        wstream_promise_slot_init_pending (&writer->ready);
      else
        wstream_promise_slot_init_resolved (&writer->ready);
      wstream_promise_slot_init_pending (&writer->closed);
    }
  else if (state == WSTREAM_STATE_ERRORING)
    {
      wstream_promise_slot_init_rejected (&writer->ready, stream->stored_error);
      wstream_promise_slot_init_pending (&writer->closed);
    }
  else if (state == WSTREAM_STATE_CLOSED)
    {
      wstream_promise_slot_init_resolved (&writer->ready);
      wstream_promise_slot_init_resolved (&writer->closed);
    }
  else
    {
      g_assert (state == WSTREAM_STATE_ERRORED);
      wstream_promise_slot_init_rejected (&writer->ready, stream->stored_error);
      wstream_promise_slot_init_rejected (&writer->closed, stream->stored_error);
    }
}

/* https://streams.spec.whatwg.org/#acquire-writable-stream-default-writer */
static WStreamDefaultWriter *
acquire_writable_stream_default_writer (WStreamWritableStream *stream)
{
  WStreamDefaultWriter *writer = wstream_default_writer_new_internal ();

  set_up_writable_stream_default_writer (writer, stream);
  return writer;
}

/* https://streams.spec.whatwg.org/#writable-stream-abort
 * @reason is never NULL: the public entry points turn a missing reason into
 * a WSTREAM_ERROR_ABORTED error. */
static WStreamPromise *
writable_stream_abort (WStreamWritableStream *stream,
                       const GError          *reason)
{
  g_autoptr (WStreamWritableStream) pinned = g_object_ref (stream);
  WStreamDefaultController *controller = stream->controller;
  WStreamState state;
  gboolean was_already_erroring = FALSE;
  WStreamPromise *promise;

  if (stream->state == WSTREAM_STATE_CLOSED || stream->state == WSTREAM_STATE_ERRORED)
    return promise_resolved_with (stream);

  /* "Signal abort on stream.[[controller]].[[abortController]] with reason."
   * The cancellable's handlers run now, as abort algorithms do. */
  if (!g_cancellable_is_cancelled (controller->abort_cancellable))
    {
      g_autoptr (GCancellable) cancellable = g_object_ref (controller->abort_cancellable);

      controller->abort_reason = g_error_copy (reason);
      g_cancellable_cancel (cancellable);
    }

  /* "Let state be stream.[[state]]." again: the signal's handlers may have
   * changed it. */
  state = stream->state;
  if (state == WSTREAM_STATE_CLOSED || state == WSTREAM_STATE_ERRORED)
    return promise_resolved_with (stream);

  if (stream->pending_abort_request.present)
    return g_object_ref (stream->pending_abort_request.promise);

  g_assert (state == WSTREAM_STATE_WRITABLE || state == WSTREAM_STATE_ERRORING);

  if (state == WSTREAM_STATE_ERRORING)
    {
      was_already_erroring = TRUE;
      reason = NULL;   /* "Set reason to undefined." */
    }

  promise = wstream_promise_new_in (stream->jobs);
  stream->pending_abort_request.present = TRUE;
  stream->pending_abort_request.promise = g_object_ref (promise);
  stream->pending_abort_request.reason = reason ? g_error_copy (reason) : NULL;
  stream->pending_abort_request.was_already_erroring = was_already_erroring;

  if (!was_already_erroring)
    writable_stream_start_erroring (stream, reason);

  return promise;
}

/* https://streams.spec.whatwg.org/#writable-stream-close */
static WStreamPromise *
writable_stream_close (WStreamWritableStream *stream)
{
  WStreamState state = stream->state;
  WStreamDefaultWriter *writer;
  WStreamPromise *promise;

  if (state == WSTREAM_STATE_CLOSED || state == WSTREAM_STATE_ERRORED)
    {
      g_autoptr (GError) error =
        g_error_new (WSTREAM_ERROR,
                     state == WSTREAM_STATE_CLOSED ? WSTREAM_ERROR_CLOSED : WSTREAM_ERROR_ERRORED,
                     "The stream (in %s state) is not in the writable state and cannot be closed",
                     state == WSTREAM_STATE_CLOSED ? "closed" : "errored");
      return promise_rejected_with (stream, error);
    }

  g_assert (state == WSTREAM_STATE_WRITABLE || state == WSTREAM_STATE_ERRORING);
  g_assert (!wstream_writable_stream_close_queued_or_in_flight (stream));

  promise = wstream_promise_new_in (stream->jobs);
  stream->close_request = g_object_ref (promise);

  writer = stream->writer;
  if (writer != NULL && stream->backpressure && state == WSTREAM_STATE_WRITABLE)
    wstream_promise_slot_resolve (&writer->ready);

  writable_stream_default_controller_close (stream->controller);

  return promise;
}

/* ---------------------------------------------------------------------- */
/* Interfacing with controllers                                            */
/* ---------------------------------------------------------------------- */

/* https://streams.spec.whatwg.org/#writable-stream-add-write-request
 * The promise is the caller's (NULL when nobody waits); the stream takes
 * the caller's reference. */
static void
writable_stream_add_write_request (WStreamWritableStream *stream,
                                   WStreamPromise        *promise)
{
  g_assert (is_writable_stream_locked (stream));
  g_assert (stream->state == WSTREAM_STATE_WRITABLE);

  *(WStreamPromise **) wstream_ring_push_slot (&stream->write_requests, sizeof (WStreamPromise *)) = promise;
}

/* https://streams.spec.whatwg.org/#writable-stream-close-queued-or-in-flight */
gboolean
wstream_writable_stream_close_queued_or_in_flight (WStreamWritableStream *stream)
{
  return stream->close_request != NULL || stream->in_flight_close_request != NULL;
}

/* https://streams.spec.whatwg.org/#writable-stream-deal-with-rejection */
static void
writable_stream_deal_with_rejection (WStreamWritableStream *stream,
                                     const GError          *error)
{
  WStreamState state = stream->state;

  if (state == WSTREAM_STATE_WRITABLE)
    {
      writable_stream_start_erroring (stream, error);
      return;
    }

  g_assert (state == WSTREAM_STATE_ERRORING);
  writable_stream_finish_erroring (stream);
}

typedef struct {
  WStreamWritableStream *stream;
  WStreamPromise        *abort_promise;
} AbortStepsReaction;

static void
abort_steps_reaction_cb (WStreamPromise *settled,
                         gpointer        data)
{
  AbortStepsReaction *reaction = data;
  WStreamWritableStream *stream = reaction->stream;
  const GError *reason = wstream_promise_get_error (settled);

  if (reason == NULL)
    resolve_promise (reaction->abort_promise);
  else
    reject_promise (reaction->abort_promise, reason);
  writable_stream_reject_close_and_closed_promise_if_needed (stream);
}

static void
abort_steps_reaction_free (gpointer data)
{
  AbortStepsReaction *reaction = data;

  g_object_unref (reaction->stream);
  g_object_unref (reaction->abort_promise);
  g_free (reaction);
}

/* https://streams.spec.whatwg.org/#writable-stream-finish-erroring */
static void
writable_stream_finish_erroring (WStreamWritableStream *stream)
{
  g_autoptr (WStreamWritableStream) pinned = g_object_ref (stream);
  const GError *stored_error;
  WStreamAbortRequest abort_request;
  g_autoptr (WStreamPromise) promise = NULL;
  AbortStepsReaction *reaction;

  g_assert (stream->state == WSTREAM_STATE_ERRORING);
  g_assert (!writable_stream_has_operation_marked_in_flight (stream));

  set_state (stream, WSTREAM_STATE_ERRORED);
  default_controller_error_steps (stream->controller);

  stored_error = stream->stored_error;
  while (stream->write_requests.len > 0)
    {
      WStreamPromise *write_request;

      wstream_ring_pop_head (&stream->write_requests, sizeof (WStreamPromise *), &write_request);
      if (write_request != NULL)
        wstream_promise_settle_rejected_take (write_request, stored_error);
    }
  wstream_ring_clear (&stream->write_requests);

  if (!stream->pending_abort_request.present)
    {
      writable_stream_reject_close_and_closed_promise_if_needed (stream);
      return;
    }

  abort_request = stream->pending_abort_request;
  memset (&stream->pending_abort_request, 0, sizeof stream->pending_abort_request);

  if (abort_request.was_already_erroring)
    {
      reject_promise (abort_request.promise, stored_error);
      g_clear_object (&abort_request.promise);
      g_clear_error (&abort_request.reason);
      writable_stream_reject_close_and_closed_promise_if_needed (stream);
      return;
    }

  promise = default_controller_abort_steps (stream->controller, abort_request.reason);
  g_clear_error (&abort_request.reason);

  reaction = g_new (AbortStepsReaction, 1);
  reaction->stream = g_object_ref (stream);
  reaction->abort_promise = abort_request.promise;   /* owned */
  wstream_promise_add_reaction (promise, abort_steps_reaction_cb, reaction, abort_steps_reaction_free);
}

/* https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-close */
static void
writable_stream_finish_in_flight_close (WStreamWritableStream *stream)
{
  WStreamState state;
  WStreamDefaultWriter *writer;

  g_assert (stream->in_flight_close_request != NULL);
  resolve_promise (stream->in_flight_close_request);
  g_clear_object (&stream->in_flight_close_request);

  state = stream->state;
  g_assert (state == WSTREAM_STATE_WRITABLE || state == WSTREAM_STATE_ERRORING);

  if (state == WSTREAM_STATE_ERRORING)
    {
      /* "The error was too late to do anything, so it is ignored." */
      g_clear_error (&stream->stored_error);
      if (stream->pending_abort_request.present)
        {
          resolve_promise (stream->pending_abort_request.promise);
          g_clear_object (&stream->pending_abort_request.promise);
          g_clear_error (&stream->pending_abort_request.reason);
          stream->pending_abort_request.present = FALSE;
        }
    }

  set_state (stream, WSTREAM_STATE_CLOSED);

  writer = stream->writer;
  if (writer != NULL)
    wstream_promise_slot_resolve (&writer->closed);

  g_assert (!stream->pending_abort_request.present);
  g_assert (stream->stored_error == NULL);
}

/* https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-close-with-error */
static void
writable_stream_finish_in_flight_close_with_error (WStreamWritableStream *stream,
                                                   const GError          *error)
{
  g_assert (stream->in_flight_close_request != NULL);
  reject_promise (stream->in_flight_close_request, error);
  g_clear_object (&stream->in_flight_close_request);

  g_assert (stream->state == WSTREAM_STATE_WRITABLE || stream->state == WSTREAM_STATE_ERRORING);

  /* "Never execute sink abort() after sink close()." */
  if (stream->pending_abort_request.present)
    {
      reject_promise (stream->pending_abort_request.promise, error);
      g_clear_object (&stream->pending_abort_request.promise);
      g_clear_error (&stream->pending_abort_request.reason);
      stream->pending_abort_request.present = FALSE;
    }

  writable_stream_deal_with_rejection (stream, error);
}

/* https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-write */
static void
writable_stream_finish_in_flight_write (WStreamWritableStream *stream)
{
  g_assert (stream->write_in_flight);

  if (stream->in_flight_write_request != NULL)
    wstream_promise_settle_fulfilled_take (g_steal_pointer (&stream->in_flight_write_request));
  stream->write_in_flight = FALSE;
}

/* https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-write-with-error */
static void
writable_stream_finish_in_flight_write_with_error (WStreamWritableStream *stream,
                                                   const GError          *error)
{
  g_assert (stream->write_in_flight);

  if (stream->in_flight_write_request != NULL)
    wstream_promise_settle_rejected_take (g_steal_pointer (&stream->in_flight_write_request), error);
  stream->write_in_flight = FALSE;

  g_assert (stream->state == WSTREAM_STATE_WRITABLE || stream->state == WSTREAM_STATE_ERRORING);

  writable_stream_deal_with_rejection (stream, error);
}

/* https://streams.spec.whatwg.org/#writable-stream-has-operation-marked-in-flight */
static gboolean
writable_stream_has_operation_marked_in_flight (WStreamWritableStream *stream)
{
  return stream->write_in_flight || stream->in_flight_close_request != NULL;
}

/* https://streams.spec.whatwg.org/#writable-stream-mark-close-request-in-flight */
static void
writable_stream_mark_close_request_in_flight (WStreamWritableStream *stream)
{
  g_assert (stream->in_flight_close_request == NULL);
  g_assert (stream->close_request != NULL);

  stream->in_flight_close_request = g_steal_pointer (&stream->close_request);
  hold_busy_ref (stream);
}

/* https://streams.spec.whatwg.org/#writable-stream-mark-first-write-request-in-flight */
static void
writable_stream_mark_first_write_request_in_flight (WStreamWritableStream *stream)
{
  g_assert (!stream->write_in_flight);
  g_assert (stream->write_requests.len > 0);

  stream->in_flight_write_request =
    *(WStreamPromise **) wstream_ring_peek_head (&stream->write_requests, sizeof (WStreamPromise *));
  wstream_ring_drop_head (&stream->write_requests);
  stream->write_in_flight = TRUE;
  hold_busy_ref (stream);
}

/* https://streams.spec.whatwg.org/#writable-stream-reject-close-and-closed-promise-if-needed */
static void
writable_stream_reject_close_and_closed_promise_if_needed (WStreamWritableStream *stream)
{
  WStreamDefaultWriter *writer;

  g_assert (stream->state == WSTREAM_STATE_ERRORED);

  if (stream->close_request != NULL)
    {
      g_assert (stream->in_flight_close_request == NULL);
      reject_promise (stream->close_request, stream->stored_error);
      g_clear_object (&stream->close_request);
    }

  writer = stream->writer;
  if (writer != NULL)
    wstream_promise_slot_reject (&writer->closed, stream->stored_error);
}

/* https://streams.spec.whatwg.org/#writable-stream-start-erroring */
static void
writable_stream_start_erroring (WStreamWritableStream *stream,
                                const GError          *reason)
{
  WStreamDefaultController *controller = stream->controller;
  WStreamDefaultWriter *writer;

  g_assert (stream->stored_error == NULL);
  g_assert (stream->state == WSTREAM_STATE_WRITABLE);
  g_assert (controller != NULL);
  g_assert (reason != NULL);

  set_state (stream, WSTREAM_STATE_ERRORING);
  stream->stored_error = g_error_copy (reason);

  writer = stream->writer;
  if (writer != NULL)
    writable_stream_default_writer_ensure_ready_promise_rejected (writer, reason);

  if (!writable_stream_has_operation_marked_in_flight (stream) && controller->started)
    writable_stream_finish_erroring (stream);
}

/* https://streams.spec.whatwg.org/#writable-stream-update-backpressure */
G_ALWAYS_INLINE static inline void
writable_stream_update_backpressure (WStreamWritableStream *stream,
                                     gboolean               backpressure)
{
  WStreamDefaultWriter *writer;

  g_assert (stream->state == WSTREAM_STATE_WRITABLE);
  g_assert (!wstream_writable_stream_close_queued_or_in_flight (stream));

  writer = stream->writer;
  if (writer != NULL && backpressure != stream->backpressure)
    {
      if (backpressure)
        wstream_promise_slot_init_pending (&writer->ready);
      else
        wstream_promise_slot_resolve (&writer->ready);
    }

  stream->backpressure = backpressure;
}

/* ---------------------------------------------------------------------- */
/* Writers                                                                 */
/* ---------------------------------------------------------------------- */

/* https://streams.spec.whatwg.org/#writable-stream-default-writer-abort */
static WStreamPromise *
writable_stream_default_writer_abort (WStreamDefaultWriter *writer,
                                      const GError         *reason)
{
  WStreamWritableStream *stream = writer->stream;

  g_assert (stream != NULL);

  return writable_stream_abort (stream, reason);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-writer-close */
static WStreamPromise *
writable_stream_default_writer_close (WStreamDefaultWriter *writer)
{
  WStreamWritableStream *stream = writer->stream;

  g_assert (stream != NULL);

  return writable_stream_close (stream);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-writer-close-with-error-propagation
 * (used by piping, see wstream-pipe) */
WStreamPromise *
wstream_writable_stream_default_writer_close_with_error_propagation (WStreamDefaultWriter *writer)
{
  WStreamWritableStream *stream = writer->stream;
  WStreamState state;

  g_assert (stream != NULL);

  state = stream->state;
  if (wstream_writable_stream_close_queued_or_in_flight (stream) || state == WSTREAM_STATE_CLOSED)
    return promise_resolved_with (stream);

  if (state == WSTREAM_STATE_ERRORED)
    return promise_rejected_with (stream, stream->stored_error);

  g_assert (state == WSTREAM_STATE_WRITABLE || state == WSTREAM_STATE_ERRORING);

  return writable_stream_default_writer_close (writer);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-writer-ensure-closed-promise-rejected */
static void
writable_stream_default_writer_ensure_closed_promise_rejected (WStreamDefaultWriter *writer,
                                                               const GError         *error)
{
  if (wstream_promise_slot_is_pending (&writer->closed))
    wstream_promise_slot_reject (&writer->closed, error);
  else
    wstream_promise_slot_init_rejected (&writer->closed, error);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-writer-ensure-ready-promise-rejected */
static void
writable_stream_default_writer_ensure_ready_promise_rejected (WStreamDefaultWriter *writer,
                                                              const GError         *error)
{
  if (wstream_promise_slot_is_pending (&writer->ready))
    wstream_promise_slot_reject (&writer->ready, error);
  else
    wstream_promise_slot_init_rejected (&writer->ready, error);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-writer-get-desired-size
 * The spec's null (errored or erroring) is FALSE with a copy of the stored
 * error. */
static gboolean
writable_stream_default_writer_get_desired_size (WStreamDefaultWriter  *writer,
                                                 double                *out,
                                                 GError               **error)
{
  WStreamWritableStream *stream = writer->stream;
  WStreamState state = stream->state;

  if (state == WSTREAM_STATE_ERRORED || state == WSTREAM_STATE_ERRORING)
    {
      if (error != NULL)
        *error = g_error_copy (stream->stored_error);
      return FALSE;
    }

  if (state == WSTREAM_STATE_CLOSED)
    {
      *out = 0;
      return TRUE;
    }

  *out = writable_stream_default_controller_get_desired_size (stream->controller);
  return TRUE;
}

/* https://streams.spec.whatwg.org/#writable-stream-default-writer-release */
static void
writable_stream_default_writer_release (WStreamDefaultWriter *writer)
{
  WStreamWritableStream *stream = writer->stream;
  g_autoptr (GError) error = NULL;

  g_assert (stream != NULL);
  g_assert (stream->writer == writer);

  error = released_error ();
  writable_stream_default_writer_ensure_ready_promise_rejected (writer, error);
  /* "The state transitions to "errored" before the sink abort() method runs,
   * but the writer.closed promise is not rejected until afterwards." */
  writable_stream_default_writer_ensure_closed_promise_rejected (writer, error);

  stream->writer = NULL;
  queue_notify (stream, PROP_LOCKED);
  writer->stream = NULL;
  g_object_unref (stream);
}

static void write_settled_job (gpointer a, gpointer b);

/* A fast path of WritableStreamDefaultWriterWrite (steps 9 to 12, from
 * "Let promise be WritableStreamAddWriteRequest(stream)") for the common
 * write: the stream is writable, no close is queued (the caller checked
 * both), it has started, nothing is in flight and its queue is empty (so
 * [[writeRequests]] is empty too), and the chunk size is valid. Then the
 * Standard's steps run straight through, in the same order:
 *
 *  - WritableStreamAddWriteRequest appends the request to the empty
 *    [[writeRequests]], and WritableStreamDefaultControllerProcessWrite's
 *    WritableStreamMarkFirstWriteRequestInFlight takes it off again: the
 *    request goes straight to [[inFlightWriteRequest]];
 *  - WritableStreamDefaultControllerWrite: EnqueueValueWithSize, and
 *    WritableStreamUpdateBackpressure with the new desired size;
 *  - WritableStreamDefaultControllerAdvanceQueueIfNeeded finds the stream
 *    started, writable, nothing in flight and the chunk just queued at the
 *    head (PeekQueueValue), so it runs ProcessWrite: mark in flight, call
 *    the sink's write with that chunk, and react to its result (a job, as
 *    always: the write's promise settles one job later).
 *
 * Nothing in between can run user code, because the fast path is only
 * taken when the backpressure update is a plain state change: the writer's
 * ready slot was never looked at (no promise object, no waiters) when it
 * turns pending. So the desired size, the ready promise, the sink call and
 * every settlement are what the full algorithms give. Returns FALSE
 * without doing anything when a condition does not hold. */
static gboolean
write_to_idle_stream (WStreamWritableStream *stream,
                      GValue                *chunk,
                      double                 chunk_size,
                      WStreamPromise        *promise)
{
  WStreamDefaultController *controller = stream->controller;
  WStreamDefaultWriter *writer = stream->writer;
  GValue sink_chunk;
  gboolean backpressure;
  SinkResult result;

  if (!controller->started || stream->write_in_flight || controller->queue.len != 0 ||
      (chunk_size != 1 && !wstream_check_chunk_size (chunk_size, NULL)))
    return FALSE;

  /* GetBackpressure after the enqueue below. */
  backpressure = controller->strategy_hwm - (controller->queue_total_size + chunk_size) <= 0;
  if (backpressure != stream->backpressure &&
      (!backpressure || writer->ready.promise != NULL || writer->ready.n_waiters != 0 ||
       writer->ready.error != NULL))
    return FALSE;

  g_assert (stream->write_requests.len == 0);
  g_assert (is_writable_stream_locked (stream));

  /* EnqueueValueWithSize; the sink gets a shallow copy of the entry's
   * chunk, as from PeekQueueValue. */
  enqueue_value_with_size (controller, chunk, chunk_size);
  if (G_LIKELY (G_VALUE_TYPE (chunk) == bytes_type))
    {
      /* What the entry holds, without reading it back (a wide load of the
       * narrow stores just made would stall). */
      sink_chunk.g_type = bytes_type;
      sink_chunk.data[0].v_pointer = chunk->data[0].v_pointer;
      sink_chunk.data[1].v_uint64 = 0;
    }
  else
    sink_chunk = peek_queue_value (controller)->chunk;

  writable_stream_update_backpressure (stream, backpressure);

  /* WritableStreamMarkFirstWriteRequestInFlight, with the request that
   * WritableStreamAddWriteRequest would have queued. */
  stream->in_flight_write_request = promise;
  stream->write_in_flight = TRUE;
  hold_busy_ref (stream);

  call_sink (stream, SINK_WRITE, &sink_chunk, NULL, &result);
  upon_sink_result (stream, &result, write_settled_job);
  return TRUE;
}

static void
reject_released_write (WStreamPromise *promise)
{
  g_autoptr (GError) error =
    g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_RELEASED,
                         "Cannot write to a stream using a released writer");

  if (promise != NULL)
    wstream_promise_settle_rejected_take (promise, error);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-writer-write
 * @chunk is a GBytes chunk of the caller's, or the writer's own copy of
 * any other chunk, which the queue takes over (enqueue_value_with_size()).
 * @promise is the caller's promise, NULL when nobody waits for this write;
 * its reference is consumed. */
static void
writable_stream_default_writer_write (WStreamDefaultWriter *writer,
                                      GValue               *chunk,
                                      WStreamPromise       *promise)
{
  WStreamWritableStream *stream = writer->stream;
  WStreamDefaultController *controller;
  double chunk_size;
  WStreamState state;

  /* Copying the chunk may have released the writer. */
  if (stream == NULL)
    {
      reject_released_write (promise);
      return;
    }

  controller = stream->controller;

  chunk_size = writable_stream_default_controller_get_chunk_size (controller, chunk);

  /* The size function may have released the writer. */
  if (stream != writer->stream)
    {
      reject_released_write (promise);
      return;
    }

  state = stream->state;
  if (state == WSTREAM_STATE_ERRORED)
    {
      if (promise != NULL)
        wstream_promise_settle_rejected_take (promise, stream->stored_error);
      return;
    }
  if (wstream_writable_stream_close_queued_or_in_flight (stream) || state == WSTREAM_STATE_CLOSED)
    {
      g_autoptr (GError) error =
        g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_CLOSED,
                             "The stream is closing or closed and cannot be written to");
      if (promise != NULL)
        wstream_promise_settle_rejected_take (promise, error);
      return;
    }
  if (state == WSTREAM_STATE_ERRORING)
    {
      if (promise != NULL)
        wstream_promise_settle_rejected_take (promise, stream->stored_error);
      return;
    }

  g_assert (state == WSTREAM_STATE_WRITABLE);

  if (write_to_idle_stream (stream, chunk, chunk_size, promise))
    return;

  writable_stream_add_write_request (stream, promise);

  writable_stream_default_controller_write (controller, chunk, chunk_size);
}

/* WritableStreamDefaultWriterWrite with the stream's own copy of @chunk.
 * A GBytes chunk gets its reference when it is queued. Any other chunk is
 * copied first, before any step: copying (a boxed type's copy function)
 * may run user code, which may write, abort or release the writer, and
 * the steps must not be halfway through when it does. */
G_ALWAYS_INLINE static inline void
writer_write_copy (WStreamDefaultWriter *writer,
                   const GValue         *chunk,
                   WStreamPromise       *promise)
{
  GValue copy;

  if (G_LIKELY (G_VALUE_TYPE (chunk) == bytes_type))
    {
      /* Only read: enqueue_value_with_size() references a GBytes. */
      writable_stream_default_writer_write (writer, (GValue *) chunk, promise);
      return;
    }

  memset (&copy, 0, sizeof copy);
  g_value_init (&copy, G_VALUE_TYPE (chunk));
  g_value_copy (chunk, &copy);
  writable_stream_default_writer_write (writer, &copy, promise);
  /* Still set when the write was rejected before its chunk was queued. */
  if (G_VALUE_TYPE (&copy) != G_TYPE_INVALID)
    g_value_unset (&copy);
}

/* ---------------------------------------------------------------------- */
/* Default controllers                                                     */
/* ---------------------------------------------------------------------- */

static void
start_settled_job (gpointer a,
                   gpointer b)
{
  WStreamWritableStream *stream = a;
  g_autoptr (GError) reason = b;
  WStreamDefaultController *controller = stream->controller;

  g_assert (stream->state == WSTREAM_STATE_WRITABLE || stream->state == WSTREAM_STATE_ERRORING);
  controller->started = TRUE;

  if (reason == NULL)
    writable_stream_default_controller_advance_queue_if_needed (controller);
  else
    writable_stream_deal_with_rejection (stream, reason);

  release_busy_ref_if_idle (stream);
}

/* https://streams.spec.whatwg.org/#set-up-writable-stream-default-controller
 * The start algorithm is the sink's start. Fails only when start fails
 * synchronously, as a throwing start() makes the constructor throw. */
static gboolean
set_up_writable_stream_default_controller (WStreamWritableStream     *stream,
                                           WStreamDefaultController  *controller,
                                           double                     high_water_mark,
                                           gboolean                   count_size,
                                           GError                   **error)
{
  gboolean backpressure;
  SinkResult start_result;

  g_assert (stream->controller == NULL);

  controller->stream = stream;
  stream->controller = controller;

  reset_queue (controller);
  controller->abort_cancellable = g_cancellable_new ();
  controller->started = FALSE;
  controller->count_size = count_size;
  controller->strategy_hwm = high_water_mark;
  controller->algorithms_cleared = FALSE;

  backpressure = writable_stream_default_controller_get_backpressure (controller);
  writable_stream_update_backpressure (stream, backpressure);

  /* Until start settled, the stream keeps itself alive. */
  hold_busy_ref (stream);
  call_sink (stream, SINK_START, NULL, NULL, &start_result);
  if (start_result.error != NULL)
    {
      g_propagate_error (error, start_result.error);
      stream->holds_busy_ref = FALSE;
      g_object_unref (stream);   /* the caller still holds its own */
      return FALSE;
    }

  upon_sink_result (stream, &start_result, start_settled_job);
  return TRUE;
}

/* https://streams.spec.whatwg.org/#set-up-writable-stream-default-controller-from-underlying-sink
 * The algorithms are the sink's vfuncs (call_sink()); a missing sink or
 * vfunc is the Standard's missing method. */
static gboolean
set_up_writable_stream_default_controller_from_underlying_sink (WStreamWritableStream   *stream,
                                                                double                   high_water_mark,
                                                                gboolean                 count_size,
                                                                GError                 **error)
{
  WStreamDefaultController *controller = wstream_default_controller_new_internal ();

  return set_up_writable_stream_default_controller (stream, controller, high_water_mark,
                                                    count_size, error);
}

static void writable_stream_default_controller_process_close (WStreamDefaultController *controller);
static void writable_stream_default_controller_process_write (WStreamDefaultController *controller,
                                                              const GValue             *chunk);

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-advance-queue-if-needed */
static void
writable_stream_default_controller_advance_queue_if_needed (WStreamDefaultController *controller)
{
  WStreamWritableStream *stream = controller->stream;
  WStreamState state;
  WStreamQueueEntry *entry;

  if (!controller->started)
    return;

  if (stream->write_in_flight)
    return;

  state = stream->state;
  g_assert (state != WSTREAM_STATE_CLOSED && state != WSTREAM_STATE_ERRORED);
  if (state == WSTREAM_STATE_ERRORING)
    {
      writable_stream_finish_erroring (stream);
      return;
    }

  if (controller->queue.len == 0)
    return;

  entry = peek_queue_value (controller);
  if (G_VALUE_TYPE (&entry->chunk) == G_TYPE_INVALID)
    writable_stream_default_controller_process_close (controller);
  else
    {
      /* The entry stays queued until the write settled; a shallow copy
       * survives the ring growing under re-entrant writes. */
      GValue chunk = entry->chunk;

      writable_stream_default_controller_process_write (controller, &chunk);
    }
}

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-clear-algorithms */
static void
writable_stream_default_controller_clear_algorithms (WStreamDefaultController *controller)
{
  /* The sink and strategy objects stay referenced by the stream (a sink with
   * an operation in progress still needs itself); the algorithms are gone. */
  controller->algorithms_cleared = TRUE;
}

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-close */
static void
writable_stream_default_controller_close (WStreamDefaultController *controller)
{
  enqueue_value_with_size (controller, NULL, 0);
  writable_stream_default_controller_advance_queue_if_needed (controller);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-error */
static void
writable_stream_default_controller_error (WStreamDefaultController *controller,
                                          const GError             *error)
{
  WStreamWritableStream *stream = controller->stream;

  g_assert (stream->state == WSTREAM_STATE_WRITABLE);

  writable_stream_default_controller_clear_algorithms (controller);
  writable_stream_start_erroring (stream, error);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-error-if-needed */
static void
writable_stream_default_controller_error_if_needed (WStreamDefaultController *controller,
                                                    const GError             *error)
{
  if (controller->stream->state == WSTREAM_STATE_WRITABLE)
    writable_stream_default_controller_error (controller, error);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-get-backpressure */
static gboolean
writable_stream_default_controller_get_backpressure (WStreamDefaultController *controller)
{
  return writable_stream_default_controller_get_desired_size (controller) <= 0;
}

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-get-chunk-size */
static double
writable_stream_default_controller_get_chunk_size (WStreamDefaultController *controller,
                                                   const GValue             *chunk)
{
  WStreamWritableStream *stream = controller->stream;
  g_autoptr (WStreamQueuingStrategy) strategy = NULL;
  g_autoptr (GError) error = NULL;
  double size;

  if (controller->count_size)
    return 1;

  /* "If controller.[[strategySizeAlgorithm]] is undefined ... Return 1."
   * The Standard also asserts that the stream is not writable, but the
   * algorithms are cleared as soon as the sink's close starts, while the
   * stream is still writable; a write then must reject with a TypeError,
   * which it does further on (whatwg/streams#1341, the assertion Node
   * trips over). So: no assertion. */
  if (controller->algorithms_cleared)
    return 1;

  /* The size function is user code: it may re-enter anything (the caller
   * pinned the stream). */
  strategy = g_object_ref (stream->strategy);
  if (!wstream_queuing_strategy_measure (strategy, chunk, &size, &error))
    {
      writable_stream_default_controller_error_if_needed (controller, error);
      return 1;
    }

  return size;
}

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-get-desired-size */
static double
writable_stream_default_controller_get_desired_size (WStreamDefaultController *controller)
{
  return controller->strategy_hwm - controller->queue_total_size;
}

static void
close_settled_job (gpointer a,
                   gpointer b)
{
  WStreamWritableStream *stream = a;
  g_autoptr (GError) reason = b;

  if (reason == NULL)
    writable_stream_finish_in_flight_close (stream);
  else
    writable_stream_finish_in_flight_close_with_error (stream, reason);

  release_busy_ref_if_idle (stream);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-process-close */
static void
writable_stream_default_controller_process_close (WStreamDefaultController *controller)
{
  WStreamWritableStream *stream = controller->stream;
  SinkResult result;

  writable_stream_mark_close_request_in_flight (stream);

  dequeue_value (controller);
  g_assert (controller->queue.len == 0);

  call_sink (stream, SINK_CLOSE, NULL, NULL, &result);
  writable_stream_default_controller_clear_algorithms (controller);
  upon_sink_result (stream, &result, close_settled_job);
}

static void
write_settled_job (gpointer a,
                   gpointer b)
{
  WStreamWritableStream *stream = a;
  GError *reason = b;
  WStreamDefaultController *controller = stream->controller;
  WStreamState state;

  if (G_UNLIKELY (reason != NULL))
    {
      if (stream->state == WSTREAM_STATE_WRITABLE)
        writable_stream_default_controller_clear_algorithms (controller);
      writable_stream_finish_in_flight_write_with_error (stream, reason);
      g_error_free (reason);
      release_busy_ref_if_idle (stream);
      return;
    }

  writable_stream_finish_in_flight_write (stream);

  state = stream->state;
  g_assert (state == WSTREAM_STATE_WRITABLE || state == WSTREAM_STATE_ERRORING);

  dequeue_value (controller);

  if (!wstream_writable_stream_close_queued_or_in_flight (stream) && state == WSTREAM_STATE_WRITABLE)
    {
      gboolean backpressure = writable_stream_default_controller_get_backpressure (controller);
      writable_stream_update_backpressure (stream, backpressure);
    }

  writable_stream_default_controller_advance_queue_if_needed (controller);

  release_busy_ref_if_idle (stream);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-process-write */
static void
writable_stream_default_controller_process_write (WStreamDefaultController *controller,
                                                  const GValue             *chunk)
{
  WStreamWritableStream *stream = controller->stream;
  SinkResult result;

  writable_stream_mark_first_write_request_in_flight (stream);

  call_sink (stream, SINK_WRITE, chunk, NULL, &result);
  upon_sink_result (stream, &result, write_settled_job);
}

/* https://streams.spec.whatwg.org/#writable-stream-default-controller-write */
static void
writable_stream_default_controller_write (WStreamDefaultController *controller,
                                          GValue                   *chunk,
                                          double                    chunk_size)
{
  WStreamWritableStream *stream;

  g_autoptr (GError) enqueue_error = NULL;

  /* "Let enqueueResult be EnqueueValueWithSize(controller, chunk,
   * chunkSize). If enqueueResult is an abrupt completion" (the size is not a
   * finite non-negative number): error the stream. A count strategy's 1
   * is always valid. */
  if (chunk_size != 1 && !wstream_check_chunk_size (chunk_size, &enqueue_error))
    {
      writable_stream_default_controller_error_if_needed (controller, enqueue_error);
      return;
    }
  enqueue_value_with_size (controller, chunk, chunk_size);

  stream = controller->stream;
  if (!wstream_writable_stream_close_queued_or_in_flight (stream) && stream->state == WSTREAM_STATE_WRITABLE)
    {
      gboolean backpressure = writable_stream_default_controller_get_backpressure (controller);
      writable_stream_update_backpressure (stream, backpressure);
    }

  writable_stream_default_controller_advance_queue_if_needed (controller);
}

/* https://streams.spec.whatwg.org/#ws-default-controller-private-abort
 * [[AbortSteps]](reason) */
static WStreamPromise *
default_controller_abort_steps (WStreamDefaultController *controller,
                                const GError             *reason)
{
  WStreamWritableStream *stream = controller->stream;
  WStreamPromise *promise;
  SinkResult result;

  if (controller->algorithms_cleared)
    return promise_resolved_with (stream);

  call_sink (stream, SINK_ABORT, NULL, reason, &result);
  writable_stream_default_controller_clear_algorithms (controller);

  if (result.deferred != NULL)
    return result.deferred;

  promise = wstream_promise_new_in (stream->jobs);
  if (result.error != NULL)
    {
      wstream_promise_settle_rejected (promise, result.error);
      g_clear_error (&result.error);
    }
  else
    wstream_promise_settle_fulfilled (promise, NULL);
  return promise;
}

/* https://streams.spec.whatwg.org/#ws-default-controller-private-error
 * [[ErrorSteps]]() */
static void
default_controller_error_steps (WStreamDefaultController *controller)
{
  reset_queue (controller);
}

/* ---------------------------------------------------------------------- */
/* Entry points for the writer and the controller                          */
/* ---------------------------------------------------------------------- */

void
wstream_writable_stream_writer_write (WStreamDefaultWriter *writer,
                                      const GValue         *chunk,
                                      WStreamPromise       *promise)
{
  wstream_writable_stream_writer_write_take (writer, chunk, promise ? g_object_ref (promise) : NULL);
}

void
wstream_writable_stream_writer_write_take (WStreamDefaultWriter *writer,
                                           const GValue         *chunk,
                                           WStreamPromise       *promise)
{
  WStreamWritableStream *stream = writer->stream;

  /* Only a size function can drop the writer's reference on the stream
   * under us while the steps use it (the sink runs under the stream's busy
   * reference; after a chunk's copy, the steps look at writer->stream
   * afresh). */
  if (G_LIKELY (stream->controller->count_size))
    writer_write_copy (writer, chunk, promise);
  else
    {
      g_object_ref (stream);
      writer_write_copy (writer, chunk, promise);
      g_object_unref (stream);
    }
}

WStreamPromise *
wstream_writable_stream_writer_close (WStreamDefaultWriter *writer)
{
  g_autoptr (WStreamWritableStream) pinned = g_object_ref (writer->stream);

  return writable_stream_default_writer_close (writer);
}

WStreamPromise *
wstream_writable_stream_writer_abort (WStreamDefaultWriter *writer,
                                      const GError         *reason)
{
  g_autoptr (WStreamWritableStream) pinned = g_object_ref (writer->stream);

  return writable_stream_default_writer_abort (writer, reason);
}

gboolean
wstream_writable_stream_writer_get_desired_size (WStreamDefaultWriter  *writer,
                                                 double                *out,
                                                 GError               **error)
{
  return writable_stream_default_writer_get_desired_size (writer, out, error);
}

void
wstream_writable_stream_writer_release (WStreamDefaultWriter *writer)
{
  g_autoptr (WStreamWritableStream) pinned = g_object_ref (writer->stream);

  writable_stream_default_writer_release (writer);
  release_busy_ref_if_idle (pinned);
}

WStreamPromise *
wstream_writable_stream_abort_internal (WStreamWritableStream *stream,
                                       const GError          *reason)
{
  return writable_stream_abort (stream, reason);
}

WStreamPromise *
wstream_writable_stream_close_internal (WStreamWritableStream *stream)
{
  g_autoptr (WStreamWritableStream) pinned = g_object_ref (stream);

  return writable_stream_close (stream);
}

void
wstream_writable_stream_controller_error (WStreamDefaultController *controller,
                                          const GError             *error)
{
  g_autoptr (WStreamWritableStream) pinned = g_object_ref (controller->stream);

  writable_stream_default_controller_error (controller, error);
}

/* ---------------------------------------------------------------------- */
/* The GObject                                                             */
/* ---------------------------------------------------------------------- */

static gboolean
wstream_writable_stream_initable_init (GInitable     *initable,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  WStreamWritableStream *self = WSTREAM_WRITABLE_STREAM (initable);
  double high_water_mark;

  g_return_val_if_fail (!self->initialized, FALSE);
  self->initialized = TRUE;

  self->jobs = wstream_job_queue_ref_thread_default ();
  if (self->sink != NULL)
    self->sink_iface = WSTREAM_SINK_GET_IFACE (self->sink);

  /* new WritableStream(underlyingSink, strategy): the sizeAlgorithm and
   * highWaterMark come from the strategy, 1 and count by default. */
  initialize_writable_stream (self);
  if (self->strategy == NULL)
    self->strategy = wstream_queuing_strategy_new_count (1, NULL);
  if (!wstream_queuing_strategy_validate (self->strategy, error))
    return FALSE;
  high_water_mark = wstream_queuing_strategy_get_high_water_mark (self->strategy);

  return set_up_writable_stream_default_controller_from_underlying_sink (
    self, high_water_mark, wstream_queuing_strategy_is_plain_count (self->strategy), error);
}

static void
wstream_writable_stream_initable_iface_init (GInitableIface *iface)
{
  iface->init = wstream_writable_stream_initable_init;
}

static void
wstream_writable_stream_dispose (GObject *object)
{
  WStreamWritableStream *self = WSTREAM_WRITABLE_STREAM (object);

  if (self->controller != NULL)
    {
      reset_queue (self->controller);
      self->controller->stream = NULL;
      g_clear_object (&self->controller);
    }
  g_clear_object (&self->sink);
  g_clear_object (&self->strategy);

  G_OBJECT_CLASS (wstream_writable_stream_parent_class)->dispose (object);
}

static void
wstream_writable_stream_finalize (GObject *object)
{
  WStreamWritableStream *self = WSTREAM_WRITABLE_STREAM (object);

  g_assert (self->writer == NULL);

  /* Nothing can be pending here: pending work holds a reference. A stream
   * whose construction failed may still hold its requests. */
  while (self->write_requests.len > 0)
    {
      WStreamPromise *request;

      wstream_ring_pop_head (&self->write_requests, sizeof (WStreamPromise *), &request);
      g_clear_object (&request);
    }
  wstream_ring_clear (&self->write_requests);
  g_clear_object (&self->in_flight_write_request);
  g_clear_object (&self->close_request);
  g_clear_object (&self->in_flight_close_request);
  g_clear_object (&self->pending_abort_request.promise);
  g_clear_error (&self->pending_abort_request.reason);
  g_clear_error (&self->stored_error);
  if (self->jobs != NULL)
    wstream_job_queue_unref (self->jobs);

  G_OBJECT_CLASS (wstream_writable_stream_parent_class)->finalize (object);
}

static void
wstream_writable_stream_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  WStreamWritableStream *self = WSTREAM_WRITABLE_STREAM (object);

  switch (prop_id)
    {
    case PROP_SINK:
      g_value_set_object (value, self->sink);
      break;
    case PROP_STRATEGY:
      g_value_set_object (value, self->strategy);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LOCKED:
      g_value_set_boolean (value, is_writable_stream_locked (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wstream_writable_stream_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  WStreamWritableStream *self = WSTREAM_WRITABLE_STREAM (object);

  switch (prop_id)
    {
    case PROP_SINK:
      self->sink = g_value_dup_object (value);
      break;
    case PROP_STRATEGY:
      self->strategy = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wstream_writable_stream_class_init (WStreamWritableStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  bytes_type = G_TYPE_BYTES;

  object_class->dispose = wstream_writable_stream_dispose;
  object_class->finalize = wstream_writable_stream_finalize;
  object_class->get_property = wstream_writable_stream_get_property;
  object_class->set_property = wstream_writable_stream_set_property;

  /**
   * WStreamWritableStream:sink:
   *
   * The underlying sink, or %NULL for the Standard's empty sink that
   * accepts everything.
   */
  properties[PROP_SINK] =
    g_param_spec_object ("sink", NULL, NULL,
                         WSTREAM_TYPE_SINK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WStreamWritableStream:strategy:
   *
   * The queuing strategy; %NULL at construction means a count strategy with
   * high-water mark 1, the Standard's default.
   */
  properties[PROP_STRATEGY] =
    g_param_spec_object ("strategy", NULL, NULL,
                         WSTREAM_TYPE_QUEUING_STRATEGY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WStreamWritableStream:state:
   *
   * The stream's state. Not in the Standard, but useful: writable, erroring,
   * errored or closed. Change notifications run from the job queue.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       WSTREAM_TYPE_STATE, WSTREAM_STATE_WRITABLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WStreamWritableStream:locked:
   *
   * Whether a writer holds the stream's lock: the Standard's `locked`.
   * Change notifications run from the job queue.
   */
  properties[PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wstream_writable_stream_init (WStreamWritableStream *self)
{
}

/**
 * wstream_writable_stream_new:
 * @sink: (nullable): the underlying sink, or %NULL for one that accepts
 *   everything
 * @strategy: (nullable): the queuing strategy, or %NULL for a count strategy
 *   with high-water mark 1
 * @error: return location for an error
 *
 * Makes a stream, as `new WritableStream(sink, strategy)` does: it checks
 * the strategy, calls the sink's `start` synchronously, and belongs to the
 * calling thread's thread-default main context from now on.
 *
 * Returns: (transfer full): the new stream, or %NULL with
 *   %WSTREAM_ERROR_INVALID_HIGH_WATER_MARK, or with the sink's error when
 *   its start failed synchronously
 */
WStreamWritableStream *
wstream_writable_stream_new (WStreamSink             *sink,
                             WStreamQueuingStrategy  *strategy,
                             GError                 **error)
{
  g_return_val_if_fail (sink == NULL || WSTREAM_IS_SINK (sink), NULL);
  g_return_val_if_fail (strategy == NULL || WSTREAM_IS_QUEUING_STRATEGY (strategy), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (WSTREAM_TYPE_WRITABLE_STREAM, NULL, error,
                         "sink", sink,
                         "strategy", strategy,
                         NULL);
}

/**
 * wstream_writable_stream_is_locked:
 * @self: a #WStreamWritableStream
 *
 * Whether a writer holds the lock of @self: the Standard's `locked`.
 *
 * Returns: %TRUE if @self is locked to a writer
 */
gboolean
wstream_writable_stream_is_locked (WStreamWritableStream *self)
{
  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (self), FALSE);

  return is_writable_stream_locked (self);
}

/**
 * wstream_writable_stream_get_state:
 * @self: a #WStreamWritableStream
 *
 * The state of @self.
 *
 * Returns: the state
 */
WStreamState
wstream_writable_stream_get_state (WStreamWritableStream *self)
{
  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (self), WSTREAM_STATE_ERRORED);

  return self->state;
}

/**
 * wstream_writable_stream_get_sink:
 * @self: a #WStreamWritableStream
 *
 * The underlying sink of @self.
 *
 * Returns: (transfer none) (nullable): the sink, or %NULL if @self has none
 */
WStreamSink *
wstream_writable_stream_get_sink (WStreamWritableStream *self)
{
  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (self), NULL);

  return self->sink;
}

/**
 * wstream_writable_stream_get_strategy:
 * @self: a #WStreamWritableStream
 *
 * The queuing strategy of @self.
 *
 * Returns: (transfer none): the strategy
 */
WStreamQueuingStrategy *
wstream_writable_stream_get_strategy (WStreamWritableStream *self)
{
  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (self), NULL);

  return self->strategy;
}

/**
 * wstream_writable_stream_get_writer:
 * @self: a #WStreamWritableStream
 * @error: return location for an error
 *
 * Locks @self to a new writer: the Standard's `getWriter()`. Until the
 * writer releases the lock (or is finalized), no other writer can be had.
 *
 * Returns: (transfer full): the writer, or %NULL with %WSTREAM_ERROR_LOCKED
 *   if @self is locked already
 */
WStreamDefaultWriter *
wstream_writable_stream_get_writer (WStreamWritableStream  *self,
                                    GError                **error)
{
  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  RETURN_VAL_IF_UNINITIALIZED (self, NULL);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->jobs, NULL);

  if (is_writable_stream_locked (self))
    {
      g_set_error_literal (error, WSTREAM_ERROR, WSTREAM_ERROR_LOCKED,
                           "This stream has already been locked for exclusive writing "
                           "by another writer");
      return NULL;
    }

  return acquire_writable_stream_default_writer (self);
}

/**
 * wstream_writable_stream_abort_async:
 * @self: a #WStreamWritableStream
 * @reason: (nullable): why; %NULL for a %WSTREAM_ERROR_ABORTED error
 * @cancellable: (nullable): stops waiting for the result; the abort goes on
 * @callback: (scope async) (nullable): called when the abort finished
 * @user_data: data for @callback
 *
 * Aborts @self, as `stream.abort(reason)` does: queued chunks are dropped,
 * the controller's #GCancellable is cancelled (now, inside this call), and
 * once any write in flight settled the sink's `abort` gets @reason. Pending
 * and later writes fail with @reason. A stream locked to a writer cannot be
 * aborted this way (%WSTREAM_ERROR_LOCKED); use
 * [method@WStream.DefaultWriter.abort_async].
 */
void
wstream_writable_stream_abort_async (WStreamWritableStream *self,
                                     const GError          *reason,
                                     GCancellable          *cancellable,
                                     GAsyncReadyCallback    callback,
                                     gpointer               user_data)
{
  g_autoptr (WStreamPromise) promise = NULL;

  g_return_if_fail (WSTREAM_IS_WRITABLE_STREAM (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  RETURN_IF_UNINITIALIZED (self);

  /* The same checks and algorithm as the language layer's abort_promise. */
  promise = wstream_writable_stream_abort_promise (self, reason);
  if (promise != NULL)
    wstream_promise_add_waiter (promise, self, cancellable, callback, user_data,
                                wstream_writable_stream_abort_async);
}

/**
 * wstream_writable_stream_abort_finish:
 * @self: a #WStreamWritableStream
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@WStream.WritableStream.abort_async].
 *
 * Returns: %TRUE when the abort finished (also for a stream that was
 *   closed or errored already), %FALSE with @error set otherwise
 */
gboolean
wstream_writable_stream_abort_finish (WStreamWritableStream  *self,
                                      GAsyncResult           *result,
                                      GError                **error)
{
  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (self), FALSE);

  return wstream_promise_propagate (result, self, wstream_writable_stream_abort_async, error);
}

/**
 * wstream_writable_stream_close_async:
 * @self: a #WStreamWritableStream
 * @cancellable: (nullable): stops waiting for the result; the close stays
 *   requested
 * @callback: (scope async) (nullable): called when the sink closed, or the
 *   close failed
 * @user_data: data for @callback
 *
 * Closes @self once every queued chunk is written, as `stream.close()`
 * does. Fails with %WSTREAM_ERROR_LOCKED if a writer holds the lock (use
 * [method@WStream.DefaultWriter.close_async]), and with
 * %WSTREAM_ERROR_CLOSED if a close was requested already.
 */
void
wstream_writable_stream_close_async (WStreamWritableStream *self,
                                     GCancellable          *cancellable,
                                     GAsyncReadyCallback    callback,
                                     gpointer               user_data)
{
  g_autoptr (WStreamPromise) promise = NULL;

  g_return_if_fail (WSTREAM_IS_WRITABLE_STREAM (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  RETURN_IF_UNINITIALIZED (self);

  promise = wstream_writable_stream_close_promise (self);
  if (promise != NULL)
    wstream_promise_add_waiter (promise, self, cancellable, callback, user_data,
                                wstream_writable_stream_close_async);
}

/**
 * wstream_writable_stream_close_finish:
 * @self: a #WStreamWritableStream
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@WStream.WritableStream.close_async].
 *
 * Returns: %TRUE if the sink closed, %FALSE with @error set otherwise
 */
gboolean
wstream_writable_stream_close_finish (WStreamWritableStream  *self,
                                      GAsyncResult           *result,
                                      GError                **error)
{
  g_return_val_if_fail (WSTREAM_IS_WRITABLE_STREAM (self), FALSE);

  return wstream_promise_propagate (result, self, wstream_writable_stream_close_async, error);
}
