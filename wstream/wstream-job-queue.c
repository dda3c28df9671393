/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The job queue: the Streams Standard's microtask queue, one per GMainContext.
 *
 * Settling a promise appends jobs; a single GSource attached to the context
 * runs them in FIFO order, including jobs appended while it runs (a microtask
 * checkpoint). After WSTREAM_JOB_QUEUE_BUDGET jobs in one dispatch it lowers
 * its priority for one round so that every other ready source, idle ones
 * included, runs before it goes on: a producer that never waits cannot starve
 * the main loop.
 *
 * Jobs are only ever appended from the thread that runs the context, so the
 * queue needs no lock and no wakeup: the source's prepare() sees new jobs the
 * next time the loop iterates. The queue lives as long as its context: the
 * context owns the source, and every object that uses the queue holds a
 * reference on the context.
 */
#include "wstream-private.h"

/* Each thread has its own copy: its address tells threads apart in two
 * instructions, where g_thread_self() costs a thread-local lookup call. */
_Thread_local char wstream_thread_marker __attribute__ ((tls_model ("initial-exec")));
#define thread_marker wstream_thread_marker

struct _WStreamJobQueue
{
  /* The fields that the inline functions of wstream-private.h use come
   * first, in the order of WStreamJobQueueHead. */
  GSource       source;
  const char   *thread_marker;  /* &thread_marker of that thread */
  WStreamRing   jobs;
  GMainContext *context;   /* not owned: the context owns us */
  gint          live_promises;  /* promises holding the queue: see wstream_job_queue_ref_for_promise() */
  gboolean      is_global_default;
  guint         pool_len;
  /* Spare promise objects, reset and ready for reuse: making and finalizing
   * a GObject costs far more than a write. They hold no reference on the
   * queue's context. */
  gpointer      pool[WSTREAM_JOB_QUEUE_POOL_SIZE];

  GThread      *thread;    /* the thread that made the queue */
  gboolean      yielded;
};

#define SAME_OFFSET(field) \
  G_STATIC_ASSERT (G_STRUCT_OFFSET (WStreamJobQueue, field) == G_STRUCT_OFFSET (WStreamJobQueueHead, field))
G_STATIC_ASSERT (G_STRUCT_OFFSET (WStreamJobQueue, source) == 0);
SAME_OFFSET (jobs);
SAME_OFFSET (context);
SAME_OFFSET (live_promises);
SAME_OFFSET (is_global_default);
SAME_OFFSET (pool_len);
SAME_OFFSET (pool);

static GMutex queues_lock;
static GHashTable *queues;  /* GMainContext * → WStreamJobQueue * */

void
wstream_ring_grow (WStreamRing *ring,
                   gsize        item_size)
{
  gsize old_cap = ring->mask ? ring->mask + 1 : 0;
  gsize new_cap = old_cap ? old_cap * 2 : 16;
  guint8 *items = g_malloc (new_cap * item_size);

  for (gsize i = 0; i < ring->len; i++)
    memcpy (items + i * item_size,
            ring->items + ((ring->head + i) & ring->mask) * item_size,
            item_size);
  g_free (ring->items);
  ring->items = items;
  ring->head = 0;
  ring->mask = new_cap - 1;
}

void
wstream_ring_clear (WStreamRing *ring)
{
  g_clear_pointer (&ring->items, g_free);
  ring->head = ring->len = ring->mask = 0;
}

static gboolean
job_queue_prepare (GSource *source,
                   gint    *timeout)
{
  WStreamJobQueue *queue = (WStreamJobQueue *) source;

  *timeout = queue->jobs.len > 0 ? 0 : -1;
  return queue->jobs.len > 0;
}

static gboolean
job_queue_check (GSource *source)
{
  return ((WStreamJobQueue *) source)->jobs.len > 0;
}

static gboolean
job_queue_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  WStreamJobQueue *queue = (WStreamJobQueue *) source;
  guint budget = WSTREAM_JOB_QUEUE_BUDGET;

  if (queue->yielded)
    {
      queue->yielded = FALSE;
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
    }

  while (queue->jobs.len > 0)
    {
      WStreamJob *head;
      WStreamJobFunc func;
      gpointer a, b;

      if (budget-- == 0)
        {
          /* Let every other ready source, idle ones too, run once. */
          queue->yielded = TRUE;
          g_source_set_priority (source, G_PRIORITY_LOW + 1);
          break;
        }

      head = wstream_ring_peek_head (&queue->jobs, sizeof (WStreamJob));
      func = head->func;
      a = head->a;
      b = head->b;
      wstream_ring_drop_head (&queue->jobs);
      func (a, b);
    }

  return G_SOURCE_CONTINUE;
}

static void
job_queue_finalize (GSource *source)
{
  WStreamJobQueue *queue = (WStreamJobQueue *) source;

  g_mutex_lock (&queues_lock);
  if (queues != NULL && g_hash_table_lookup (queues, queue->context) == queue)
    g_hash_table_remove (queues, queue->context);
  g_mutex_unlock (&queues_lock);

  /* Jobs left here belong to a context that is going away: nobody can run
   * them any more. */
  if (queue->jobs.len > 0)
    g_debug ("%" G_GSIZE_FORMAT " jobs dropped with their GMainContext", queue->jobs.len);
  wstream_ring_clear (&queue->jobs);
  while (queue->pool_len > 0)
    g_object_unref (queue->pool[--queue->pool_len]);
}

static GSourceFuncs job_queue_funcs = {
  .prepare = job_queue_prepare,
  .check = job_queue_check,
  .dispatch = job_queue_dispatch,
  .finalize = job_queue_finalize,
};

/*
 * wstream_job_queue_ref_thread_default:
 *
 * Returns the job queue of the calling thread's thread-default main context
 * (the global default context if none was pushed), creating it on first use.
 * The returned reference holds the context alive.
 */
WStreamJobQueue *
wstream_job_queue_ref_thread_default (void)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  WStreamJobQueue *queue;

  g_mutex_lock (&queues_lock);
  if (queues == NULL)
    queues = g_hash_table_new (NULL, NULL);
  queue = g_hash_table_lookup (queues, context);
  if (queue == NULL)
    {
      GSource *source = g_source_new (&job_queue_funcs, sizeof (WStreamJobQueue));

      g_source_set_static_name (source, "[wstream] job queue");
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      queue = (WStreamJobQueue *) source;
      queue->context = context;
      queue->thread = g_thread_self ();
      queue->thread_marker = &thread_marker;
      queue->is_global_default = context == g_main_context_default ();
      g_hash_table_insert (queues, context, queue);
      g_source_attach (source, context);
      g_source_unref (source);   /* the context owns it */
    }
  g_mutex_unlock (&queues_lock);

  /* The reference we return is the context reference. */
  return queue;
}

WStreamJobQueue *
wstream_job_queue_ref (WStreamJobQueue *queue)
{
  g_main_context_ref (queue->context);
  return queue;
}

void
wstream_job_queue_unref (WStreamJobQueue *queue)
{
  g_main_context_unref (queue->context);
}

GMainContext *
wstream_job_queue_get_context (WStreamJobQueue *queue)
{
  return queue->context;
}

/*
 * wstream_job_queue_is_current:
 *
 * Whether the calling thread may use objects of @queue: it is the thread
 * that made the queue, or it owns the queue's context (it runs it), or the
 * queue's context is its thread-default context.
 */
gboolean
wstream_job_queue_is_current (WStreamJobQueue *queue)
{
  GMainContext *context;

  /* The common case: the thread that made the queue. */
  if (G_LIKELY (queue->thread_marker == &thread_marker))
    return TRUE;

  /* Another thread may use the context while it owns it, or while it is
   * that thread's thread-default context (a non-default context handed to
   * a worker thread). */
  if (g_main_context_is_owner (queue->context))
    return TRUE;
  context = g_main_context_get_thread_default ();
  return context != NULL && context == queue->context && !queue->is_global_default;
}
