/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wstream-private.h"

/**
 * WStreamPromise:
 *
 * A value that settles once: it is resolved (optionally with a value) or
 * rejected with a #GError, and it tells whoever waits for it from the job
 * queue of its main context.
 *
 * A #WStreamPromise is the Streams Standard's promise in GLib clothes. It
 * implements [iface@Gio.AsyncResult]: the `_async` functions of wstream call
 * back with a #WStreamPromise as the result, and the matching `_finish`
 * function reads it.
 *
 * Sinks meet promises through [method@WStream.DefaultController.defer]: a
 * sink that finishes an operation later takes a pending promise from the
 * controller, returns %TRUE, and settles the promise with
 * [method@WStream.Promise.resolve] or [method@WStream.Promise.reject] when the
 * operation is done.
 *
 * ## Rules
 *
 * - A promise belongs to the thread-default [struct@GLib.MainContext] of the
 *   thread that made it; settle it and wait on it from that thread only.
 * - Callbacks never run inside the call that caused them. Settling a
 *   promise appends one job per waiter to the context's job queue; the queue
 *   runs jobs in the order they were appended, so callbacks run in the order
 *   the promises settled.
 * - The first settlement wins; later calls to resolve or reject return
 *   %FALSE and change nothing.
 * - A wait keeps its promise alive until the promise settled, as GIO keeps
 *   the source object of an operation alive.
 * - A promise from [method@WStream.DefaultController.defer] that the sink
 *   drops without settling it is rejected with %WSTREAM_ERROR_FAILED: a
 *   forgotten promise errors the stream rather than hanging it.
 */

static void wstream_promise_async_result_iface_init (GAsyncResultIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WStreamPromise, wstream_promise, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_RESULT,
                                                      wstream_promise_async_result_iface_init))

/* The source object of a result keeps alive, as GTask's does. A writer,
 * the source of every write and ready wait, is held once for all of its
 * results (see WStreamDefaultWriter.pending_results): that saves a
 * g_object_ref()/g_object_unref() pair per write. The first result takes
 * the reference, the last one drops it.
 *
 * The count is a plain integer of the writer's thread: a counted result
 * lives on that thread only. It is made there (every `_async` entry point
 * checks its thread), and it is counted only until its callback returned:
 * wstream_promise_release() then recycles it, or, when somebody kept a
 * reference (which may be dropped in any thread), turns the count into a
 * reference of the result's own (promise_own_source()). */
static inline void
promise_set_source (WStreamPromise *self,
                    gpointer        source_object)
{
  if (source_object == NULL)
    return;
  if (G_TYPE_FROM_INSTANCE (source_object) == wstream_default_writer_gtype)
    {
      WStreamDefaultWriter *writer = source_object;

      if (writer->pending_results++ == 0)
        g_object_ref (writer);
      self->source_counted = TRUE;
    }
  else
    g_object_ref (source_object);
  self->source_object = source_object;
}

static inline void
promise_uncount_source (WStreamPromise *self)
{
  WStreamDefaultWriter *writer = (WStreamDefaultWriter *) self->source_object;

  self->source_counted = FALSE;
  if (G_UNLIKELY (!wstream_job_queue_is_current_fast (self->queue)))
    {
      /* Cannot happen (see above); leak rather than race. */
      g_critical ("A result of a WStreamDefaultWriter was finalized in another thread "
                  "before its callback ran");
      return;
    }
  if (--writer->pending_results == 0)
    g_object_unref (writer);
}

static inline void
promise_clear_source (WStreamPromise *self)
{
  GObject *source_object = self->source_object;

  if (source_object == NULL)
    return;
  if (self->source_counted)
    promise_uncount_source (self);
  else
    g_object_unref (source_object);
  self->source_object = NULL;
}

/* Before a result that somebody else holds leaves the writer's thread's
 * control: its source becomes a reference of its own. */
static inline void
promise_own_source (WStreamPromise *self)
{
  if (self->source_counted)
    {
      g_object_ref (self->source_object);
      promise_uncount_source (self);
    }
}

static void
wstream_promise_disconnect_cancellable (WStreamPromise *self)
{
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
}

static void
wstream_promise_dispose (GObject *object)
{
  WStreamPromise *self = WSTREAM_PROMISE (object);

  /* A pending promise that somebody waits on must not leave them hanging:
   * settling it queues jobs that hold references, which resurrects us until
   * they ran. */
  if (self->state == WSTREAM_PROMISE_PENDING && self->reactions != NULL)
    {
      g_autoptr (GError) error =
        g_error_new_literal (WSTREAM_ERROR, WSTREAM_ERROR_FAILED,
                             "The promise was dropped without being settled");
      wstream_promise_settle_rejected (self, error);
    }

  G_OBJECT_CLASS (wstream_promise_parent_class)->dispose (object);
}

static void
wstream_promise_finalize (GObject *object)
{
  WStreamPromise *self = WSTREAM_PROMISE (object);
  WStreamReaction *reaction, *next;

  for (reaction = self->reactions; reaction != NULL; reaction = next)
    {
      next = reaction->next;
      if (reaction->data_free != NULL)
        reaction->data_free (reaction->data);
      if (reaction != &self->inline_reaction)
        g_free (reaction);
    }

  if (self->settled_destroy != NULL)
    self->settled_destroy (self->settled_data);
  wstream_promise_disconnect_cancellable (self);
  g_clear_object (&self->cancellable);
  promise_clear_source (self);
  if ((G_VALUE_TYPE (&self->value) != G_TYPE_INVALID))
    g_value_unset (&self->value);
  g_clear_error (&self->error);
  if (self->queue != NULL)
    wstream_job_queue_unref_for_promise (self->queue);

  G_OBJECT_CLASS (wstream_promise_parent_class)->finalize (object);
}

/* The type is final: an exact class test is the whole type check. */
static GType promise_gtype;

#define IS_PROMISE(obj) \
  ((obj) != NULL && ((GTypeInstance *) (obj))->g_class != NULL && \
   ((GTypeInstance *) (obj))->g_class->g_type == promise_gtype)

static void
wstream_promise_class_init (WStreamPromiseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  promise_gtype = G_TYPE_FROM_CLASS (klass);
  object_class->dispose = wstream_promise_dispose;
  object_class->finalize = wstream_promise_finalize;
}

static void
wstream_promise_init (WStreamPromise *self)
{
  self->reactions_tail = &self->reactions;
}

static gpointer
wstream_promise_get_user_data_vfunc (GAsyncResult *result)
{
  return WSTREAM_PROMISE (result)->user_data;
}

static GObject *
wstream_promise_ref_source_object (GAsyncResult *result)
{
  WStreamPromise *self = WSTREAM_PROMISE (result);

  return self->source_object ? g_object_ref (self->source_object) : NULL;
}

static gboolean
wstream_promise_is_tagged (GAsyncResult *result,
                           gpointer      source_tag)
{
  return WSTREAM_PROMISE (result)->source_tag == source_tag;
}

static void
wstream_promise_async_result_iface_init (GAsyncResultIface *iface)
{
  iface->get_user_data = wstream_promise_get_user_data_vfunc;
  iface->get_source_object = wstream_promise_ref_source_object;
  iface->is_tagged = wstream_promise_is_tagged;
}

WStreamPromise *
wstream_promise_new_in (WStreamJobQueue *queue)
{
  WStreamPromise *self = wstream_job_queue_pool_pop (queue);

  if (self == NULL)
    self = (WStreamPromise *) g_object_new_with_properties (WSTREAM_TYPE_PROMISE, 0, NULL, NULL);
  self->queue = wstream_job_queue_ref_for_promise (queue);
  return self;
}

/* Drops every field back to a fresh pending promise's. */
static void
wstream_promise_reset (WStreamPromise *self)
{
  g_assert (self->reactions == NULL);

  /* The language layer's hook, a cancellable, a value and an error are
   * the rare fields. */
  if (G_UNLIKELY (self->settled_func != NULL || self->settled_destroy != NULL))
    {
      if (self->settled_destroy != NULL)
        self->settled_destroy (self->settled_data);
      self->settled_func = NULL;
      self->settled_data = NULL;
      self->settled_destroy = NULL;
    }
  if (G_UNLIKELY (self->cancellable != NULL))
    {
      wstream_promise_disconnect_cancellable (self);
      g_clear_object (&self->cancellable);
    }
  g_assert (self->cancel_source == NULL);
  promise_clear_source (self);
  if (G_UNLIKELY (G_VALUE_TYPE (&self->value) != G_TYPE_INVALID))
    g_value_unset (&self->value);
  if (G_UNLIKELY (self->error != NULL))
    g_clear_error (&self->error);
  self->state = WSTREAM_PROMISE_PENDING;
  self->source_tag = NULL;
  self->callback = NULL;
  self->user_data = NULL;
  self->delivered = FALSE;
  self->delivered_cancelled = FALSE;
  self->inline_reaction_used = FALSE;
}

/*
 * wstream_promise_release:
 *
 * Drops a reference like g_object_unref(). When it is the last one and
 * nobody attached anything to the object (no weak pointer, toggle reference
 * or data: a binding's wrapper is such data), the object goes to its
 * queue's pool instead of being finalized, for the next promise.
 */
void
wstream_promise_release (WStreamPromise *promise)
{
  WStreamJobQueue *queue = promise->queue;

  if (queue != NULL && wstream_job_queue_is_current_fast (queue))
    {
      if (g_atomic_int_get (&G_OBJECT (promise)->ref_count) == 1 &&
          G_OBJECT (promise)->qdata == NULL &&
          promise->reactions == NULL)
        {
          wstream_promise_reset (promise);
          if (wstream_job_queue_pool_push (queue, promise))
            {
              promise->queue = NULL;
              wstream_job_queue_unref_for_promise (queue);
              return;
            }
        }
      else
        promise_own_source (promise);
    }
  g_object_unref (promise);
}

/**
 * wstream_promise_new:
 *
 * Makes a pending promise that belongs to the calling thread's
 * thread-default main context.
 *
 * Returns: (transfer full): a new pending #WStreamPromise
 */
WStreamPromise *
wstream_promise_new (void)
{
  g_autoptr (WStreamJobQueue) queue = wstream_job_queue_ref_thread_default ();

  return wstream_promise_new_in (queue);
}

/* The job that calls a promise's own callback. Holds a reference. */
static void
deliver_own_job (gpointer a,
                 gpointer b)
{
  WStreamPromise *self = a;
  GAsyncReadyCallback callback = self->callback;

  self->callback = NULL;
  wstream_promise_disconnect_cancellable (self);
  if (callback == NULL)
    {
      wstream_promise_release (self);
      return;
    }
  if (self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable))
    self->delivered_cancelled = TRUE;
  callback (self->source_object, G_ASYNC_RESULT (self), self->user_data);

  /* A cancelled wait stays registered on the promise it waited for until
   * that one settles; it must not keep its source object alive until then
   * (a writer whose ready promise never settles would never go away). */
  if (self->delivered_cancelled && self->state == WSTREAM_PROMISE_PENDING)
    promise_clear_source (self);

  wstream_promise_release (self);
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  WStreamPromise *self = user_data;

  if (!self->delivered)
    {
      self->delivered = TRUE;
      self->delivered_cancelled = TRUE;
      wstream_job_queue_push (self->queue, deliver_own_job, g_object_ref (self), NULL);
    }
  return G_SOURCE_REMOVE;
}

/*
 * wstream_promise_new_for_call:
 *
 * A pending promise that is the GAsyncResult of one `_async` call: when it
 * settles, or when @cancellable is cancelled before that, @callback runs from
 * the job queue with the promise as its result.
 */
WStreamPromise *
wstream_promise_new_for_call (WStreamJobQueue     *queue,
                              gpointer             source_object,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data,
                              gpointer             source_tag)
{
  WStreamPromise *self = wstream_promise_new_in (queue);

  promise_set_source (self, source_object);
  self->source_tag = source_tag;
  self->callback = callback;
  self->user_data = user_data;
  if (callback == NULL)
    self->delivered = TRUE;

  if (cancellable != NULL && callback != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      if (g_cancellable_is_cancelled (cancellable))
        {
          self->delivered = TRUE;
          self->delivered_cancelled = TRUE;
          wstream_job_queue_push (queue, deliver_own_job, g_object_ref (self), NULL);
        }
      else
        {
          self->cancel_source = g_cancellable_source_new (cancellable);
          g_source_set_static_name (self->cancel_source, "[wstream] cancellable");
          g_source_set_priority (self->cancel_source, G_PRIORITY_DEFAULT);
          /* The source holds no reference: it is destroyed before we go. */
          g_source_set_callback (self->cancel_source, (GSourceFunc) (void (*)(void)) cancelled_cb,
                                 self, NULL);
          g_source_attach (self->cancel_source, wstream_job_queue_get_context (queue));
        }
    }

  return self;
}

static void
run_reaction_job (gpointer a,
                  gpointer b)
{
  WStreamReaction *reaction = a;
  WStreamPromise *settled = b;

  reaction->func (settled, reaction->data);
  if (reaction->data_free != NULL)
    reaction->data_free (reaction->data);
  if (reaction != &settled->inline_reaction)
    g_free (reaction);
  wstream_promise_release (settled);
}

/* Queues the own callback and the reactions; with @now, runs the reactions
 * here instead (the language layer's settle_now). With @give_ref, the
 * caller hands over one reference: the first queued job takes it. */
static void
wstream_promise_queue_reactions (WStreamPromise *self,
                                 gboolean        now,
                                 gboolean        give_ref)
{
  WStreamReaction *reaction, *next;

  if (!self->delivered)
    {
      self->delivered = TRUE;
      wstream_job_queue_push (self->queue, deliver_own_job,
                              give_ref ? self : g_object_ref (self), NULL);
      give_ref = FALSE;
    }

  reaction = self->reactions;
  self->reactions = NULL;
  self->reactions_tail = &self->reactions;
  for (; reaction != NULL; reaction = next)
    {
      gpointer ref = give_ref ? self : g_object_ref (self);

      give_ref = FALSE;
      next = reaction->next;
      reaction->next = NULL;
      if (now)
        run_reaction_job (reaction, ref);
      else
        wstream_job_queue_push (self->queue, run_reaction_job, reaction, ref);
    }

  if (give_ref)
    wstream_promise_release (self);
}

/*
 * wstream_promise_add_reaction:
 *
 * The spec's "upon settlement": @func runs as a job once the promise settled
 * (queued now if it already has), then @data_free frees @data. If the promise
 * is finalized unsettled, only @data_free runs.
 */
void
wstream_promise_add_reaction (WStreamPromise      *promise,
                              WStreamReactionFunc  func,
                              gpointer             data,
                              GDestroyNotify       data_free)
{
  WStreamReaction *reaction;

  if (!promise->inline_reaction_used)
    {
      promise->inline_reaction_used = TRUE;
      reaction = &promise->inline_reaction;
    }
  else
    reaction = g_new (WStreamReaction, 1);
  reaction->next = NULL;
  reaction->func = func;
  reaction->data = data;
  reaction->data_free = data_free;

  if (promise->state != WSTREAM_PROMISE_PENDING)
    {
      wstream_job_queue_push (promise->queue, run_reaction_job, reaction, g_object_ref (promise));
      return;
    }

  *promise->reactions_tail = reaction;
  promise->reactions_tail = &reaction->next;
}

/* A waiter is a promise of its own (the caller's GAsyncResult) that takes the
 * outcome of the promise it waits on. Runs as the reaction job, so the
 * callback runs exactly one job after the settlement, as a `then` callback
 * does in JavaScript. */
static void
deliver_waiter_reaction (WStreamPromise *settled,
                         gpointer        data)
{
  WStreamPromise *waiter = data;
  gboolean was_delivered = waiter->delivered;

  /* Settle the waiter without queueing its own callback: we are already the
   * job that calls it. */
  waiter->delivered = TRUE;
  if (settled->state == WSTREAM_PROMISE_FULFILLED)
    wstream_promise_settle_fulfilled (waiter, (G_VALUE_TYPE (&settled->value) != G_TYPE_INVALID) ? &settled->value : NULL);
  else
    wstream_promise_settle_rejected (waiter, settled->error);
  if (!was_delivered)
    deliver_own_job (g_object_ref (waiter), NULL);
}

/*
 * wstream_promise_add_waiter:
 *
 * Waits on @promise for one `_async` caller: @callback gets a new promise that
 * carries @promise's outcome (or G_IO_ERROR_CANCELLED if @cancellable fires
 * first).
 */
void
wstream_promise_add_waiter (WStreamPromise      *promise,
                            gpointer             source_object,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data,
                            gpointer             source_tag)
{
  WStreamPromise *waiter;

  if (callback == NULL)
    return;

  waiter = wstream_promise_new_for_call (promise->queue, source_object, cancellable,
                                         callback, user_data, source_tag);
  wstream_promise_add_reaction (promise, deliver_waiter_reaction, waiter,
                                (GDestroyNotify) wstream_promise_release);
}

static gboolean
settle (WStreamPromise *promise,
        const GValue   *value,
        const GError   *error,
        gboolean        now,
        gboolean        give_ref)
{
  if (promise->state != WSTREAM_PROMISE_PENDING)
    {
      if (give_ref)
        wstream_promise_release (promise);
      return FALSE;
    }

  if (error != NULL)
    {
      promise->state = WSTREAM_PROMISE_REJECTED;
      promise->error = g_error_copy (error);
    }
  else
    {
      promise->state = WSTREAM_PROMISE_FULFILLED;
      if (value != NULL && G_VALUE_TYPE (value) != G_TYPE_INVALID)
        {
          g_value_init (&promise->value, G_VALUE_TYPE (value));
          g_value_copy (value, &promise->value);
        }
    }

  if (G_UNLIKELY (promise->settled_func != NULL))
    {
      g_autoptr (WStreamPromise) pinned = g_object_ref (promise);

      promise->settled_func (promise, promise->settled_data);
    }

  wstream_promise_queue_reactions (promise, now, give_ref);
  return TRUE;
}

gboolean
wstream_promise_settle_fulfilled (WStreamPromise *promise,
                                  const GValue   *value)
{
  return settle (promise, value, NULL, FALSE, FALSE);
}

gboolean
wstream_promise_settle_rejected (WStreamPromise *promise,
                                 const GError   *error)
{
  g_assert (error != NULL);

  return settle (promise, NULL, error, FALSE, FALSE);
}

/* The same, consuming the caller's reference on @promise. */
void
wstream_promise_settle_fulfilled_take (WStreamPromise *promise)
{
  /* What settle() does for the common promise, a pending result with its
   * own callback and nothing else (no reactions, no language-layer hook,
   * no value): the caller's reference goes to the delivery job. */
  if (G_LIKELY (promise->state == WSTREAM_PROMISE_PENDING &&
                promise->settled_func == NULL &&
                promise->reactions == NULL))
    {
      promise->state = WSTREAM_PROMISE_FULFILLED;
      if (!promise->delivered)
        {
          promise->delivered = TRUE;
          wstream_job_queue_push (promise->queue, deliver_own_job, promise, NULL);
        }
      else
        wstream_promise_release (promise);
      return;
    }

  settle (promise, NULL, NULL, FALSE, TRUE);
}

void
wstream_promise_settle_rejected_take (WStreamPromise *promise,
                                      const GError   *error)
{
  g_assert (error != NULL);

  settle (promise, NULL, error, FALSE, TRUE);
}

gboolean
wstream_promise_settle_now (WStreamPromise *promise,
                            const GValue   *value,
                            const GError   *error)
{
  return settle (promise, value, error, TRUE, FALSE);
}

/*
 * wstream_promise_propagate:
 *
 * The body of every `_finish` function.
 */
gboolean
wstream_promise_propagate (GAsyncResult  *result,
                           gpointer       source_object,
                           gpointer       source_tag,
                           GError       **error)
{
  WStreamPromise *self;

  g_return_val_if_fail (IS_PROMISE (result), FALSE);
  self = (WStreamPromise *) result;
  g_return_val_if_fail (self->source_tag == source_tag, FALSE);
  g_return_val_if_fail (self->source_object == source_object, FALSE);

  if (self->delivered_cancelled)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "The operation was cancelled; the stream is unchanged");
      return FALSE;
    }
  if (self->state == WSTREAM_PROMISE_REJECTED)
    {
      if (error != NULL)
        *error = g_error_copy (self->error);
      return FALSE;
    }
  g_return_val_if_fail (self->state == WSTREAM_PROMISE_FULFILLED, FALSE);
  return TRUE;
}

/* An `_async` call whose result is known now still calls back from the job
 * queue. */
void
wstream_report_error (WStreamJobQueue     *queue,
                      gpointer             source_object,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data,
                      gpointer             source_tag,
                      GError              *error)
{
  g_autoptr (GError) owned = error;
  g_autoptr (WStreamPromise) promise = NULL;

  if (callback == NULL)
    return;
  promise = wstream_promise_new_for_call (queue, source_object, cancellable,
                                          callback, user_data, source_tag);
  wstream_promise_settle_rejected (promise, owned);
}

/**
 * wstream_promise_resolve:
 * @self: a #WStreamPromise
 * @value: (nullable): the value to resolve with, copied; %NULL for none
 *
 * Fulfills @self. Whoever waits on it is called back from the job queue,
 * after this call has returned.
 *
 * Call it from the thread that owns the promise's main context.
 *
 * Returns: %TRUE if this call settled @self, %FALSE if it was already settled
 */
gboolean
wstream_promise_resolve (WStreamPromise *self,
                         const GValue   *value)
{
  g_return_val_if_fail (WSTREAM_IS_PROMISE (self), FALSE);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->queue, FALSE);

  return wstream_promise_settle_fulfilled (self, value);
}

/**
 * wstream_promise_reject:
 * @self: a #WStreamPromise
 * @error: the reason, copied
 *
 * Rejects @self with @error. Whoever waits on it is called back from the job
 * queue, after this call has returned.
 *
 * Call it from the thread that owns the promise's main context.
 *
 * Returns: %TRUE if this call settled @self, %FALSE if it was already settled
 */
gboolean
wstream_promise_reject (WStreamPromise *self,
                        const GError   *error)
{
  g_return_val_if_fail (WSTREAM_IS_PROMISE (self), FALSE);
  g_return_val_if_fail (error != NULL, FALSE);
  WSTREAM_RETURN_VAL_IF_WRONG_THREAD (self->queue, FALSE);

  return wstream_promise_settle_rejected (self, error);
}

/**
 * wstream_promise_get_state:
 * @self: a #WStreamPromise
 *
 * Whether @self is pending, fulfilled or rejected.
 *
 * Returns: the state of @self
 */
WStreamPromiseState
wstream_promise_get_state (WStreamPromise *self)
{
  g_return_val_if_fail (WSTREAM_IS_PROMISE (self), WSTREAM_PROMISE_PENDING);

  return self->state;
}

/**
 * wstream_promise_get_value:
 * @self: a #WStreamPromise
 *
 * The value @self was fulfilled with.
 *
 * Returns: (nullable) (transfer none): the value, or %NULL if @self is not
 *   fulfilled or was fulfilled without a value
 */
const GValue *
wstream_promise_get_value (WStreamPromise *self)
{
  g_return_val_if_fail (WSTREAM_IS_PROMISE (self), NULL);

  return (G_VALUE_TYPE (&self->value) != G_TYPE_INVALID) ? &self->value : NULL;
}

/**
 * wstream_promise_get_error:
 * @self: a #WStreamPromise
 *
 * The reason @self was rejected with.
 *
 * Returns: (nullable) (transfer none): the error, or %NULL if @self is not
 *   rejected
 */
const GError *
wstream_promise_get_error (WStreamPromise *self)
{
  g_return_val_if_fail (WSTREAM_IS_PROMISE (self), NULL);

  return self->error;
}

/**
 * wstream_promise_wait_async:
 * @self: a #WStreamPromise
 * @cancellable: (nullable): stops this wait; @self is unchanged
 * @callback: (scope async) (nullable): called when @self settled
 * @user_data: data for @callback
 *
 * Waits for @self to settle. @callback runs from the job queue, one job after
 * the settlement (or, for a promise that already settled, after the jobs
 * already queued), never inside this call. Call
 * [method@WStream.Promise.wait_finish] from it.
 *
 * Cancelling @cancellable makes this wait end promptly with
 * %G_IO_ERROR_CANCELLED; it does not settle @self.
 */
void
wstream_promise_wait_async (WStreamPromise      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (WSTREAM_IS_PROMISE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  WSTREAM_RETURN_IF_WRONG_THREAD (self->queue);

  wstream_promise_add_waiter (self, self, cancellable, callback, user_data,
                              wstream_promise_wait_async);
}

/**
 * wstream_promise_wait_finish:
 * @self: a #WStreamPromise
 * @result: the #GAsyncResult given to the callback
 * @error: return location for the rejection reason
 *
 * Finishes [method@WStream.Promise.wait_async]. The value of a fulfilled
 * promise is available from [method@WStream.Promise.get_value].
 *
 * Returns: %TRUE if @self was fulfilled, %FALSE with @error set if it was
 *   rejected or the wait was cancelled
 */
gboolean
wstream_promise_wait_finish (WStreamPromise  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (WSTREAM_IS_PROMISE (self), FALSE);

  return wstream_promise_propagate (result, self, wstream_promise_wait_async, error);
}

/* Promise slots: the writer's ready and closed promises. The promise object
 * is made only when a language layer asks for it; until then the slot keeps
 * its waiters itself, and settling the slot settles each waiter, which
 * queues its callback: one job after the settlement, as a reaction would. */

static void
slot_flush_waiters (WStreamPromiseSlot *slot)
{
  WStreamPromise *one;

  /* Settling may run a language layer's hook that adds waiters: take them
   * off the slot first. The common case is a single waiter. */
  if (slot->n_waiters == 1)
    {
      one = slot->waiters[0];
      slot->n_waiters = 0;
      /* The slot's reference goes to the delivery job. */
      if (slot->state == WSTREAM_PROMISE_FULFILLED)
        wstream_promise_settle_fulfilled_take (one);
      else
        wstream_promise_settle_rejected_take (one, slot->error);
      return;
    }

  while (slot->n_waiters > 0)
    {
      guint n = slot->n_waiters;
      WStreamPromise **waiters = g_memdup2 (slot->waiters, n * sizeof (WStreamPromise *));

      slot->n_waiters = 0;
      for (guint i = 0; i < n; i++)
        {
          if (slot->state == WSTREAM_PROMISE_FULFILLED)
            wstream_promise_settle_fulfilled_take (waiters[i]);
          else
            wstream_promise_settle_rejected_take (waiters[i], slot->error);
        }
      g_free (waiters);
    }
}

void
wstream_promise_slot_init_pending_slow (WStreamPromiseSlot *slot)
{
  wstream_promise_slot_clear (slot);
  slot->state = WSTREAM_PROMISE_PENDING;
}

void
wstream_promise_slot_init_resolved (WStreamPromiseSlot *slot)
{
  wstream_promise_slot_clear (slot);
  slot->state = WSTREAM_PROMISE_FULFILLED;
}

void
wstream_promise_slot_init_rejected (WStreamPromiseSlot *slot,
                                    const GError       *error)
{
  wstream_promise_slot_clear (slot);
  slot->state = WSTREAM_PROMISE_REJECTED;
  slot->error = g_error_copy (error);
}

gboolean
wstream_promise_slot_is_pending (WStreamPromiseSlot *slot)
{
  return slot->state == WSTREAM_PROMISE_PENDING;
}

void
wstream_promise_slot_resolve_slow (WStreamPromiseSlot *slot)
{
  if (slot->state != WSTREAM_PROMISE_PENDING)
    return;
  slot->state = WSTREAM_PROMISE_FULFILLED;
  if (slot->promise != NULL)
    wstream_promise_settle_fulfilled (slot->promise, NULL);
  else
    slot_flush_waiters (slot);
}

void
wstream_promise_slot_reject (WStreamPromiseSlot *slot,
                             const GError       *error)
{
  if (slot->state != WSTREAM_PROMISE_PENDING)
    return;
  slot->state = WSTREAM_PROMISE_REJECTED;
  slot->error = g_error_copy (error);
  if (slot->promise != NULL)
    wstream_promise_settle_rejected (slot->promise, error);
  else
    slot_flush_waiters (slot);
}

/* The promise object of a slot, made on first use; waiters so far become
 * its reactions, in order. */
WStreamPromise *
wstream_promise_slot_get (WStreamPromiseSlot *slot,
                          WStreamJobQueue    *queue)
{
  if (slot->promise == NULL)
    {
      slot->promise = wstream_promise_new_in (queue);
      if (slot->state == WSTREAM_PROMISE_FULFILLED)
        wstream_promise_settle_fulfilled (slot->promise, NULL);
      else if (slot->state == WSTREAM_PROMISE_REJECTED)
        wstream_promise_settle_rejected (slot->promise, slot->error);
      else
        {
          for (guint i = 0; i < slot->n_waiters; i++)
            wstream_promise_add_reaction (slot->promise, deliver_waiter_reaction,
                                          slot->waiters[i],
                                          (GDestroyNotify) wstream_promise_release);
          slot->n_waiters = 0;
        }
    }
  return slot->promise;
}

void
wstream_promise_slot_add_waiter (WStreamPromiseSlot  *slot,
                                 WStreamJobQueue     *queue,
                                 gpointer             source_object,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data,
                                 gpointer             source_tag)
{
  WStreamPromise *waiter;

  if (callback == NULL)
    return;
  if (slot->promise != NULL)
    {
      wstream_promise_add_waiter (slot->promise, source_object, cancellable, callback,
                                  user_data, source_tag);
      return;
    }

  waiter = wstream_promise_new_for_call (queue, source_object, cancellable, callback,
                                         user_data, source_tag);
  switch (slot->state)
    {
    case WSTREAM_PROMISE_FULFILLED:
      /* Our reference goes to the delivery job. */
      wstream_promise_settle_fulfilled_take (waiter);
      break;
    case WSTREAM_PROMISE_REJECTED:
      wstream_promise_settle_rejected_take (waiter, slot->error);
      break;
    case WSTREAM_PROMISE_PENDING:
    default:
      if (slot->n_waiters == slot->waiters_size)
        {
          slot->waiters_size = MAX (4, slot->waiters_size * 2);
          slot->waiters = g_renew (WStreamPromise *, slot->waiters, slot->waiters_size);
        }
      slot->waiters[slot->n_waiters++] = waiter;
      break;
    }
}

/* Back to an empty pending slot; the waiter array is kept for reuse
 * (wstream_promise_slot_destroy() frees it). */
void
wstream_promise_slot_clear (WStreamPromiseSlot *slot)
{
  for (guint i = 0; i < slot->n_waiters; i++)
    wstream_promise_release (slot->waiters[i]);
  slot->n_waiters = 0;
  g_clear_pointer (&slot->promise, wstream_promise_release);
  g_clear_error (&slot->error);
  slot->state = WSTREAM_PROMISE_PENDING;
}

void
wstream_promise_slot_destroy (WStreamPromiseSlot *slot)
{
  wstream_promise_slot_clear (slot);
  g_clear_pointer (&slot->waiters, g_free);
  slot->waiters_size = 0;
}
