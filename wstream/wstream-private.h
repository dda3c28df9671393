/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private cross-object API of wstream: the job queue, the promise internals
 * and the instance structs of the three spec objects, so that the spec's
 * abstract operations can reach each other's slots as the Standard does.
 * Nothing here is installed or scanned by g-ir-scanner.
 */
#pragma once

#include <string.h>

#include "wstream.h"

G_BEGIN_DECLS

/* A ring buffer of fixed-size items. */
typedef struct {
  guint8 *items;
  gsize   head;
  gsize   len;
  gsize   mask;   /* capacity - 1, capacity a power of two; 0 when empty */
} WStreamRing;

/* Ring buffer helpers: a FIFO of fixed-size items that grows by doubling. */
void wstream_ring_grow (WStreamRing *ring, gsize item_size);

/* Returns the new tail slot for the caller to fill in place: no copy
 * through the stack (a wide load of a freshly written narrower store
 * stalls store-to-load forwarding, measurably so on the write path). */
static inline gpointer
wstream_ring_push_slot (WStreamRing *ring, gsize item_size)
{
  gsize index;

  if (G_UNLIKELY (ring->mask == 0 || ring->len == ring->mask + 1))
    wstream_ring_grow (ring, item_size);
  index = (ring->head + ring->len) & ring->mask;
  ring->len++;
  return ring->items + index * item_size;
}

static inline gpointer
wstream_ring_peek_head (WStreamRing *ring, gsize item_size)
{
  g_assert (ring->len > 0);
  return ring->items + ring->head * item_size;
}

/* Drops the head item, which the caller read through
 * wstream_ring_peek_head(). */
static inline void
wstream_ring_drop_head (WStreamRing *ring)
{
  g_assert (ring->len > 0);
  ring->head = (ring->head + 1) & ring->mask;
  ring->len--;
}

static inline void
wstream_ring_pop_head (WStreamRing *ring, gsize item_size, gpointer out_item)
{
  memcpy (out_item, wstream_ring_peek_head (ring, item_size), item_size);
  wstream_ring_drop_head (ring);
}

void wstream_ring_clear (WStreamRing *ring);

/* ---------------------------------------------------------------------- */
/* The job queue: the spec's microtask queue, one per GMainContext.        */
/* ---------------------------------------------------------------------- */

typedef struct _WStreamJobQueue WStreamJobQueue;
typedef void (*WStreamJobFunc) (gpointer a, gpointer b);

/* How many jobs one dispatch runs before it lets other sources in. */
#define WSTREAM_JOB_QUEUE_BUDGET 4096
/* How many spare promise objects a queue keeps. */
#define WSTREAM_JOB_QUEUE_POOL_SIZE 64

WStreamJobQueue *wstream_job_queue_ref_thread_default (void);
WStreamJobQueue *wstream_job_queue_ref                (WStreamJobQueue *queue);
void             wstream_job_queue_unref              (WStreamJobQueue *queue);
gboolean         wstream_job_queue_is_current         (WStreamJobQueue *queue);
GMainContext    *wstream_job_queue_get_context        (WStreamJobQueue *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WStreamJobQueue, wstream_job_queue_unref)

/* The start of the queue's struct (wstream-job-queue.c): what the inline
 * functions below need. */
typedef struct {
  GSource       source;
  const char   *thread_marker;
  WStreamRing   jobs;   /* of WStreamJob */
  GMainContext *context;
  gint          live_promises;
  gboolean      is_global_default;
  guint         pool_len;
  gpointer      pool[WSTREAM_JOB_QUEUE_POOL_SIZE];
} WStreamJobQueueHead;

#define WSTREAM_JOB_QUEUE_HEAD(queue) ((WStreamJobQueueHead *) (queue))

/*
 * wstream_job_queue_ref_for_promise:
 *
 * A promise's hold on its queue. The queue keeps one reference on its
 * context while any promise holds it, so that a promise recycled from the
 * pool for each write costs an atomic increment, not a context reference.
 * The counter is atomic because the last reference on a promise may be
 * dropped in another thread (a binding's garbage collector); whoever takes
 * a promise reference holds the context through its own object meanwhile.
 * The global default context is never finalized (GLib keeps it for the
 * life of the process): promises of its queue need no hold at all, which
 * saves two atomic operations per result.
 */
static inline WStreamJobQueue *
wstream_job_queue_ref_for_promise (WStreamJobQueue *queue)
{
  WStreamJobQueueHead *head = WSTREAM_JOB_QUEUE_HEAD (queue);

  if (!head->is_global_default && g_atomic_int_add (&head->live_promises, 1) == 0)
    g_main_context_ref (head->context);
  return queue;
}

static inline void
wstream_job_queue_unref_for_promise (WStreamJobQueue *queue)
{
  WStreamJobQueueHead *head = WSTREAM_JOB_QUEUE_HEAD (queue);

  if (!head->is_global_default && g_atomic_int_dec_and_test (&head->live_promises))
    g_main_context_unref (head->context);
}

/* A small per-queue pool of spare promise objects (see
 * wstream_promise_release()); owner thread only. */
static inline gpointer
wstream_job_queue_pool_pop (WStreamJobQueue *queue)
{
  WStreamJobQueueHead *head = WSTREAM_JOB_QUEUE_HEAD (queue);

  if (head->pool_len == 0)
    return NULL;
  return head->pool[--head->pool_len];
}

static inline gboolean
wstream_job_queue_pool_push (WStreamJobQueue *queue,
                             gpointer         promise)
{
  WStreamJobQueueHead *head = WSTREAM_JOB_QUEUE_HEAD (queue);

  if (head->pool_len == WSTREAM_JOB_QUEUE_POOL_SIZE)
    return FALSE;
  head->pool[head->pool_len++] = promise;
  return TRUE;
}

typedef struct {
  WStreamJobFunc func;
  gpointer       a;
  gpointer       b;
} WStreamJob;

/*
 * wstream_job_queue_push:
 *
 * Appends a job; it runs from the queue's context after every job already
 * queued, never inside this call. Inline: every settlement pushes one.
 */
static inline void
wstream_job_queue_push (WStreamJobQueue *queue,
                        WStreamJobFunc   func,
                        gpointer         a,
                        gpointer         b)
{
  WStreamJob *job = wstream_ring_push_slot (&WSTREAM_JOB_QUEUE_HEAD (queue)->jobs, sizeof (WStreamJob));

  job->func = func;
  job->a = a;
  job->b = b;
}

/* Public entry points of objects that belong to a queue's thread use this. */
/* The thread check's common case, inline: the queue's thread marker is the
 * address of the calling thread's own marker. */
extern _Thread_local char wstream_thread_marker __attribute__ ((tls_model ("initial-exec")));

static inline gboolean
wstream_job_queue_is_current_fast (WStreamJobQueue *queue)
{
  if (G_LIKELY (WSTREAM_JOB_QUEUE_HEAD (queue)->thread_marker == &wstream_thread_marker))
    return TRUE;
  return wstream_job_queue_is_current (queue);
}

#define WSTREAM_RETURN_IF_WRONG_THREAD(queue) \
  g_return_if_fail (wstream_job_queue_is_current_fast (queue))
#define WSTREAM_RETURN_VAL_IF_WRONG_THREAD(queue, val) \
  g_return_val_if_fail (wstream_job_queue_is_current_fast (queue), (val))

/* ---------------------------------------------------------------------- */
/* Promises                                                                */
/* ---------------------------------------------------------------------- */

/* A reaction runs as a job after the promise settled; @settled is valid for
 * the duration of the call. */
typedef void (*WStreamReactionFunc) (WStreamPromise *settled,
                                     gpointer        data);

typedef struct _WStreamReaction WStreamReaction;

typedef void (*WStreamPromiseSettledFunc) (WStreamPromise *promise,
                                           gpointer        user_data);

struct _WStreamReaction
{
  WStreamReaction     *next;
  WStreamReactionFunc  func;
  gpointer             data;
  GDestroyNotify       data_free;
};

struct _WStreamPromise
{
  GObject parent_instance;

  WStreamJobQueue     *queue;
  WStreamPromiseState  state;
  GValue               value;
  GError              *error;

  /* The caller whose GAsyncResult this promise is. */
  GObject             *source_object;
  gpointer             source_tag;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
  GCancellable        *cancellable;
  GSource             *cancel_source;
  guint                delivered : 1;           /* callback called or queued */
  guint                delivered_cancelled : 1;
  guint                source_counted : 1;      /* source_object is a writer held by its count */

  /* Internal reactions, in registration order; the first one lives inline
   * (most promises have at most one). */
  WStreamReaction     *reactions;
  WStreamReaction    **reactions_tail;
  WStreamReaction      inline_reaction;
  guint                inline_reaction_used : 1;

  /* The language-layer hook: called synchronously when the promise settles
   * (see wstream-language-layer.c). */
  WStreamPromiseSettledFunc settled_func;
  gpointer             settled_data;
  GDestroyNotify       settled_destroy;
};


/* Settles and runs the internal reactions now instead of queueing them: for
 * a language layer that settles from its own microtask on an empty stack. */
gboolean        wstream_promise_settle_now    (WStreamPromise      *promise,
                                               const GValue        *value,
                                               const GError        *error);

WStreamPromise *wstream_promise_new_in        (WStreamJobQueue     *queue);
WStreamPromise *wstream_promise_new_for_call  (WStreamJobQueue     *queue,
                                               gpointer             source_object,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data,
                                               gpointer             source_tag);
void            wstream_promise_add_reaction  (WStreamPromise      *promise,
                                               WStreamReactionFunc  func,
                                               gpointer             data,
                                               GDestroyNotify       data_free);
void            wstream_promise_add_waiter    (WStreamPromise      *promise,
                                               gpointer             source_object,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data,
                                               gpointer             source_tag);
gboolean        wstream_promise_settle_fulfilled (WStreamPromise   *promise,
                                                  const GValue     *value);
gboolean        wstream_promise_settle_rejected  (WStreamPromise   *promise,
                                                  const GError     *error);
void            wstream_promise_settle_fulfilled_take (WStreamPromise *promise);
void            wstream_promise_settle_rejected_take  (WStreamPromise *promise,
                                                       const GError   *error);
void            wstream_promise_release       (WStreamPromise      *promise);
gboolean        wstream_promise_propagate     (GAsyncResult        *result,
                                               gpointer             source_object,
                                               gpointer             source_tag,
                                               GError             **error);
void            wstream_report_error          (WStreamJobQueue     *queue,
                                               gpointer             source_object,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data,
                                               gpointer             source_tag,
                                               GError              *error);

/* The spec's "a promise" slot of a writer (ready, closed): the promise object
 * is made only when somebody looks at it, so that backpressure toggling costs
 * no allocation. */
typedef struct {
  WStreamPromise      *promise;  /* NULL until observed */
  WStreamPromiseState  state;
  GError              *error;
  WStreamPromise     **waiters;  /* waiters while there is no promise object */
  guint                n_waiters;
  guint                waiters_size;
} WStreamPromiseSlot;

void            wstream_promise_slot_init_pending_slow (WStreamPromiseSlot *slot);
void            wstream_promise_slot_init_resolved (WStreamPromiseSlot *slot);
void            wstream_promise_slot_init_rejected (WStreamPromiseSlot *slot,
                                                    const GError       *error);
gboolean        wstream_promise_slot_is_pending    (WStreamPromiseSlot *slot);
void            wstream_promise_slot_resolve_slow  (WStreamPromiseSlot *slot);
void            wstream_promise_slot_reject        (WStreamPromiseSlot *slot,
                                                    const GError       *error);
WStreamPromise *wstream_promise_slot_get           (WStreamPromiseSlot *slot,
                                                    WStreamJobQueue    *queue);
void            wstream_promise_slot_add_waiter    (WStreamPromiseSlot *slot,
                                                    WStreamJobQueue    *queue,
                                                    gpointer            source_object,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data,
                                                    gpointer            source_tag);
void            wstream_promise_slot_clear         (WStreamPromiseSlot *slot);
void            wstream_promise_slot_destroy       (WStreamPromiseSlot *slot);

/* Backpressure toggles the ready slot twice per write of an idle stream:
 * the common case (nobody looked at the slot, nobody waits) is inline and
 * does exactly what the out-of-line versions would. */
static inline void
wstream_promise_slot_init_pending (WStreamPromiseSlot *slot)
{
  if (G_LIKELY (slot->promise == NULL && slot->n_waiters == 0 && slot->error == NULL))
    slot->state = WSTREAM_PROMISE_PENDING;
  else
    wstream_promise_slot_init_pending_slow (slot);
}

static inline void
wstream_promise_slot_resolve (WStreamPromiseSlot *slot)
{
  if (slot->state != WSTREAM_PROMISE_PENDING)
    return;
  if (G_LIKELY (slot->promise == NULL && slot->n_waiters == 0))
    slot->state = WSTREAM_PROMISE_FULFILLED;
  else
    wstream_promise_slot_resolve_slow (slot);
}

/* ---------------------------------------------------------------------- */
/* Queuing strategies                                                      */
/* ---------------------------------------------------------------------- */

gboolean wstream_queuing_strategy_is_plain_count (WStreamQueuingStrategy *strategy);
gboolean wstream_queuing_strategy_measure        (WStreamQueuingStrategy  *self,
                                                  const GValue            *chunk,
                                                  double                  *out_size,
                                                  GError                 **error);
gboolean wstream_check_chunk_size                (double                   size,
                                                  GError                 **error);

/* ---------------------------------------------------------------------- */
/* The three spec objects                                                  */
/* ---------------------------------------------------------------------- */

/* An entry of the controller's [[queue]]: a chunk with its size, or the
 * close sentinel (chunk of type G_TYPE_INVALID). With a count strategy an
 * entry is the chunk alone (every size is 1, the sentinel's 0): the ring's
 * items are then sizeof (GValue) long and `size` is not there. */
typedef struct {
  GValue chunk;
  double size;
} WStreamQueueEntry;

typedef struct {
  gboolean        present;
  WStreamPromise *promise;
  GError         *reason;
  gboolean        was_already_erroring;
} WStreamAbortRequest;

struct _WStreamWritableStream
{
  GObject parent_instance;

  WStreamJobQueue          *jobs;
  WStreamSink              *sink;          /* owned; the controller's algorithms use it */
  WStreamQueuingStrategy   *strategy;      /* owned */

  WStreamState              state;                         /* [[state]] */
  GError                   *stored_error;                  /* [[storedError]] */
  WStreamDefaultWriter     *writer;                        /* [[writer]], not owned */
  WStreamDefaultController *controller;                    /* [[controller]], owned */

  /* [[writeRequests]]: WStreamPromise * each, NULL when nobody waits. */
  WStreamRing               write_requests;
  gboolean                  write_in_flight;               /* [[inFlightWriteRequest]] is set */
  WStreamPromise           *in_flight_write_request;
  WStreamPromise           *close_request;                 /* [[closeRequest]] */
  WStreamPromise           *in_flight_close_request;       /* [[inFlightCloseRequest]] */
  WStreamAbortRequest       pending_abort_request;         /* [[pendingAbortRequest]] */
  gboolean                  backpressure;                  /* [[backpressure]] */

  WStreamSinkInterface     *sink_iface;    /* the sink's vtable, looked up once */
  gboolean                  holds_busy_ref;  /* a reference on itself while start or an operation is in flight */
  gboolean                  initialized;
};

struct _WStreamDefaultWriter
{
  GObject parent_instance;

  WStreamJobQueue          *jobs;
  WStreamWritableStream    *stream;        /* [[stream]], owned while locked */
  WStreamPromiseSlot        ready;         /* [[readyPromise]] */
  WStreamPromiseSlot        closed;        /* [[closedPromise]] */

  /* Results (WStreamPromise) whose source object is this writer: while
   * there is one, the writer holds one reference on itself for all of
   * them (wstream_promise_new_for_call()), instead of one per result.
   * The writer's thread only (see promise_set_source()). */
  gint                      pending_results;
};

/* The writer's GType, set by its class_init (before any writer exists). */
extern GType wstream_default_writer_gtype;

struct _WStreamDefaultController
{
  GObject parent_instance;

  WStreamWritableStream    *stream;        /* [[stream]], not owned */
  WStreamRing               queue;         /* [[queue]] of WStreamQueueEntry */
  double                    queue_total_size;   /* [[queueTotalSize]] */
  gboolean                  started;       /* [[started]] */
  double                    strategy_hwm;  /* [[strategyHWM]] */
  gboolean                  algorithms_cleared;  /* the write/close/abort/size algorithms are undefined */
  gboolean                  count_size;    /* the size algorithm is "return 1" */

  GCancellable             *abort_cancellable;  /* [[abortController]]'s signal */
  GError                   *abort_reason;

  /* The promise a sink asked for with defer() during the current sink call. */
  gboolean                  in_sink_call;
  WStreamPromise           *deferred;
};

/* Entry points of the stream's algorithms for the writer and the controller
 * (wstream-writable-stream.c). Arguments are already validated. */
void     wstream_writable_stream_writer_write     (WStreamDefaultWriter   *writer,
                                                   const GValue           *chunk,
                                                   WStreamPromise         *promise);
/* The same, consuming the caller's reference on @promise. */
void     wstream_writable_stream_writer_write_take (WStreamDefaultWriter  *writer,
                                                    const GValue          *chunk,
                                                    WStreamPromise        *promise);
WStreamPromise *wstream_writable_stream_writer_close (WStreamDefaultWriter *writer);
WStreamPromise *wstream_writable_stream_writer_abort (WStreamDefaultWriter *writer,
                                                      const GError         *reason);
WStreamPromise *wstream_writable_stream_default_writer_close_with_error_propagation (WStreamDefaultWriter *writer);
gboolean wstream_writable_stream_writer_get_desired_size (WStreamDefaultWriter *writer,
                                                          double               *out,
                                                          GError              **error);
void     wstream_writable_stream_writer_release   (WStreamDefaultWriter   *writer);
gboolean wstream_writable_stream_close_queued_or_in_flight (WStreamWritableStream *stream);
void     wstream_writable_stream_controller_error (WStreamDefaultController *controller,
                                                   const GError             *error);
/* WritableStreamAbort and WritableStreamClose themselves (transfer full),
 * for the stream's public methods of language layers. The caller checked
 * the lock and (for close) CloseQueuedOrInFlight; @reason is not NULL. */
WStreamPromise *wstream_writable_stream_abort_internal (WStreamWritableStream *stream,
                                                        const GError          *reason);
WStreamPromise *wstream_writable_stream_close_internal (WStreamWritableStream *stream);

WStreamDefaultController *wstream_default_controller_new_internal (void);
/* WSTREAM_ERROR_RELEASED for an operation (@what: "write to", "close"…) on a
 * released writer. */
GError                   *wstream_released_writer_error           (const char *what);
WStreamDefaultWriter     *wstream_default_writer_new_internal     (void);


G_END_DECLS
