/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A sink that finishes its writes later, and a producer that respects
 * backpressure by waiting for the writer to be ready. */
#include <wstream.h>

#define SLOW_TYPE_SINK (slow_sink_get_type ())
G_DECLARE_FINAL_TYPE (SlowSink, slow_sink, SLOW, SINK, GObject)

struct _SlowSink
{
  GObject parent_instance;
};

static void slow_sink_iface_init (WStreamSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SlowSink, slow_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, slow_sink_iface_init))

static gboolean
finish_write (gpointer user_data)
{
  WStreamPromise *promise = user_data;

  g_print ("  sink: finished\n");
  wstream_promise_resolve (promise, NULL);   /* or wstream_promise_reject () */
  return G_SOURCE_REMOVE;
}

static gboolean
slow_sink_write (WStreamSink               *sink,
                 const GValue              *chunk,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  /* Ask for a promise, return TRUE, settle the promise later. */
  WStreamPromise *promise = wstream_default_controller_defer (controller);

  g_print ("  sink: writing chunk %d\n", g_value_get_int (chunk));
  g_timeout_add_full (G_PRIORITY_DEFAULT, 10, finish_write, promise, g_object_unref);
  return TRUE;
}

static void
slow_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->write = slow_sink_write;
}

static void
slow_sink_class_init (SlowSinkClass *klass)
{
}

static void
slow_sink_init (SlowSink *self)
{
}

typedef struct
{
  WStreamDefaultWriter *writer;
  GMainLoop            *loop;
  int                   next;
} Producer;

static void produce (Producer *producer);

static void
closed (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Producer *producer = user_data;
  g_autoptr (GError) error = NULL;

  if (!wstream_default_writer_close_finish (producer->writer, result, &error))
    g_printerr ("close failed: %s\n", error->message);
  g_print ("closed\n");
  g_main_loop_quit (producer->loop);
}

static void
ready (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  Producer *producer = user_data;
  g_autoptr (GError) error = NULL;

  if (!wstream_default_writer_wait_ready_finish (producer->writer, result, &error))
    {
      g_printerr ("the stream failed: %s\n", error->message);
      g_main_loop_quit (producer->loop);
      return;
    }
  g_print ("ready\n");
  produce (producer);
}

/* Writes while the stream wants more, then waits for `ready`. */
static void
produce (Producer *producer)
{
  double desired = 0;

  while (producer->next < 5)
    {
      g_auto (GValue) chunk = G_VALUE_INIT;

      if (!wstream_default_writer_get_desired_size (producer->writer, &desired, NULL))
        return;   /* erroring or errored: the ready wait reports it */
      if (desired <= 0)
        {
          g_print ("backpressure (desired size %g): waiting\n", desired);
          wstream_default_writer_wait_ready_async (producer->writer, NULL, ready, producer);
          return;
        }

      g_value_init (&chunk, G_TYPE_INT);
      g_value_set_int (&chunk, producer->next++);
      g_print ("write %d\n", g_value_get_int (&chunk));
      /* Nobody waits for this write: no result object is made. An error
       * would show up in the ready and close callbacks. */
      wstream_default_writer_write_async (producer->writer, &chunk, NULL, NULL, NULL);
    }

  wstream_default_writer_close_async (producer->writer, NULL, closed, producer);
}

int
main (void)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (SlowSink) sink = g_object_new (SLOW_TYPE_SINK, NULL);
  g_autoptr (WStreamQueuingStrategy) strategy = NULL;
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_autoptr (GError) error = NULL;
  Producer producer = { NULL, loop, 0 };

  /* Up to two chunks may wait (the one being written counts). */
  strategy = wstream_queuing_strategy_new_count (2, &error);
  g_assert_no_error (error);
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, &error);
  g_assert_no_error (error);
  writer = wstream_writable_stream_get_writer (stream, &error);
  g_assert_no_error (error);

  producer.writer = writer;
  produce (&producer);
  g_main_loop_run (loop);
  return 0;
}
