/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A sink that finishes later, in C: each chunk takes a while to reach its
 * (pretend) slow destination, a timeout per chunk. The producer obeys
 * backpressure: it waits for the writer to be ready before each write, so
 * that no more than the high-water mark is ever queued.
 *
 *   slow-sink [N-CHUNKS] [MILLISECONDS-PER-CHUNK]
 */
#include <stdlib.h>
#include <wstream.h>

/* The sink ---------------------------------------------------------------- */

#define SLOW_TYPE_SINK (slow_sink_get_type ())
G_DECLARE_FINAL_TYPE (SlowSink, slow_sink, SLOW, SINK, GObject)

struct _SlowSink
{
  GObject  parent_instance;
  guint    delay_ms;
  GString *received;
};

typedef struct {
  SlowSink       *sink;      /* a reference: the sink must outlive the write */
  WStreamPromise *promise;   /* settled when the chunk "arrived" */
  char           *text;
} PendingWrite;

static gboolean
write_arrived_cb (gpointer data)
{
  PendingWrite *pending = data;

  g_print ("sink: wrote \"%s\"\n", pending->text);
  g_string_append (pending->sink->received, pending->text);
  /* Settle from the stream's main context; the stream goes on from its job
   * queue after this call returned. */
  wstream_promise_resolve (pending->promise, NULL);

  g_object_unref (pending->promise);
  g_object_unref (pending->sink);
  g_free (pending->text);
  g_free (pending);
  return G_SOURCE_REMOVE;
}

static gboolean
slow_sink_write (WStreamSink               *sink,
                 const GValue              *chunk,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  SlowSink *self = SLOW_SINK (sink);
  PendingWrite *pending;

  if (!G_VALUE_HOLDS_STRING (chunk))
    {
      g_set_error (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_CHUNK_TYPE,
                   "This sink takes strings, not %s", G_VALUE_TYPE_NAME (chunk));
      return FALSE;
    }

  /* Finish later: take the controller's promise, return TRUE, settle it
   * when done. The chunk belongs to the stream: copy what we keep. */
  pending = g_new0 (PendingWrite, 1);
  pending->sink = g_object_ref (self);
  pending->promise = wstream_default_controller_defer (controller);
  pending->text = g_value_dup_string (chunk);
  g_timeout_add (self->delay_ms, write_arrived_cb, pending);
  return TRUE;
}

static gboolean
slow_sink_close (WStreamSink               *sink,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  g_print ("sink: closed after \"%s\"\n", SLOW_SINK (sink)->received->str);
  return TRUE;
}

static void
slow_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->write = slow_sink_write;
  iface->close = slow_sink_close;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (SlowSink, slow_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, slow_sink_iface_init))

static void
slow_sink_finalize (GObject *object)
{
  g_string_free (SLOW_SINK (object)->received, TRUE);
  G_OBJECT_CLASS (slow_sink_parent_class)->finalize (object);
}

static void
slow_sink_class_init (SlowSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = slow_sink_finalize;
}

static void
slow_sink_init (SlowSink *self)
{
  self->received = g_string_new (NULL);
}

/* The producer ------------------------------------------------------------- */

typedef struct {
  WStreamDefaultWriter *writer;
  GMainLoop            *loop;
  guint                 next;
  guint                 total;
  double                max_queued;
  gboolean              failed;
} Producer;

static void produce (Producer *producer);

static void
ready_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Producer *producer = user_data;
  g_autoptr (GError) error = NULL;

  if (!wstream_default_writer_wait_ready_finish (producer->writer, result, &error))
    {
      g_printerr ("stream failed: %s\n", error->message);
      producer->failed = TRUE;
      g_main_loop_quit (producer->loop);
      return;
    }
  produce (producer);
}

static void
closed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Producer *producer = user_data;
  g_autoptr (GError) error = NULL;

  if (!wstream_default_writer_close_finish (producer->writer, result, &error))
    {
      g_printerr ("close failed: %s\n", error->message);
      producer->failed = TRUE;
    }
  g_main_loop_quit (producer->loop);
}

static void
produce (Producer *producer)
{
  double desired = 0;

  /* Write while the stream wants more; then wait for ready. */
  while (producer->next < producer->total &&
         wstream_default_writer_get_desired_size (producer->writer, &desired, NULL) &&
         desired > 0)
    {
      g_autofree char *text = g_strdup_printf ("chunk%u ", producer->next++);
      GValue value = G_VALUE_INIT;
      double queued;

      g_value_init (&value, G_TYPE_STRING);
      g_value_take_string (&value, g_steal_pointer (&text));
      g_print ("producer: write \"%s\"\n", g_value_get_string (&value));
      /* Nobody waits for each write: a failure shows in ready or close. */
      wstream_default_writer_write_async (producer->writer, &value, NULL, NULL, NULL);
      g_value_unset (&value);

      wstream_default_writer_get_desired_size (producer->writer, &queued, NULL);
      producer->max_queued = MAX (producer->max_queued, 2 - queued);
    }

  if (producer->next < producer->total)
    {
      g_print ("producer: backpressure, waiting\n");
      wstream_default_writer_wait_ready_async (producer->writer, NULL, ready_cb, producer);
    }
  else
    wstream_default_writer_close_async (producer->writer, NULL, closed_cb, producer);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SlowSink) sink = g_object_new (SLOW_TYPE_SINK, NULL);
  g_autoptr (WStreamQueuingStrategy) strategy = NULL;
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Producer producer = { 0 };

  sink->delay_ms = argc > 2 ? atoi (argv[2]) : 20;
  strategy = wstream_queuing_strategy_new_count (2, &error);
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, &error);
  if (stream == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  producer.writer = wstream_writable_stream_get_writer (stream, &error);
  producer.loop = loop;
  producer.total = argc > 1 ? atoi (argv[1]) : 6;
  produce (&producer);
  g_main_loop_run (loop);

  g_print ("at most %g chunks were queued (high-water mark 2)\n", producer.max_queued);
  g_object_unref (producer.writer);
  if (g_strcmp0 (sink->received->str, "") == 0 || producer.max_queued > 2)
    return 1;
  return producer.failed ? 1 : 0;
}
