/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes a message chunk by chunk into a stream whose sink prints what it
 * receives, with backpressure, then closes the stream. The same program is
 * in write-message.py (PyGObject) and write-message.js (GJS, on the
 * web-standard module); all three print the same lines.
 *
 *   cc write-message.c $(pkg-config --cflags --libs wstream-1) -o write-message
 */
#include <stdio.h>
#include <string.h>

#include <wstream.h>

#define MESSAGE    "Hello, streams! Backpressure keeps the queue short."
#define CHUNK_SIZE 8

/* A sink that takes a little while for each chunk. */
struct _PrintingSink
{
  GObject  parent_instance;
  GString *received;
};

#define PRINTING_TYPE_SINK (printing_sink_get_type ())
G_DECLARE_FINAL_TYPE (PrintingSink, printing_sink, PRINTING, SINK, GObject)

static void printing_sink_iface_init (WStreamSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PrintingSink, printing_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, printing_sink_iface_init))

static gboolean
finish_write (gpointer data)
{
  WStreamPromise *deferred = data;

  wstream_promise_resolve (deferred, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
printing_sink_write (WStreamSink               *sink,
                     const GValue              *chunk,
                     WStreamDefaultController  *controller,
                     GError                   **error)
{
  PrintingSink *self = PRINTING_SINK (sink);
  const char *text = g_value_get_string (chunk);

  printf ("sink: received \"%s\"\n", text);
  g_string_append (self->received, text);

  /* Finish later: the stream queues further chunks meanwhile. */
  g_timeout_add_full (G_PRIORITY_DEFAULT, 5, finish_write,
                      wstream_default_controller_defer (controller), g_object_unref);
  return TRUE;
}

static gboolean
printing_sink_close (WStreamSink               *sink,
                     WStreamDefaultController  *controller,
                     GError                   **error)
{
  PrintingSink *self = PRINTING_SINK (sink);

  printf ("sink: closed after \"%s\"\n", self->received->str);
  return TRUE;
}

static void
printing_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->write = printing_sink_write;
  iface->close = printing_sink_close;
}

static void
printing_sink_finalize (GObject *object)
{
  g_string_free (PRINTING_SINK (object)->received, TRUE);
  G_OBJECT_CLASS (printing_sink_parent_class)->finalize (object);
}

static void
printing_sink_class_init (PrintingSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = printing_sink_finalize;
}

static void
printing_sink_init (PrintingSink *self)
{
  self->received = g_string_new (NULL);
}

/* The producer. */
typedef struct {
  WStreamDefaultWriter *writer;
  const char           *rest;
  GMainLoop            *loop;
} Producer;

static void pump (Producer *producer);

static void
ready_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Producer *producer = user_data;
  g_autoptr (GError) error = NULL;

  if (!wstream_default_writer_wait_ready_finish (producer->writer, result, &error))
    {
      printf ("stream failed: %s\n", error->message);
      g_main_loop_quit (producer->loop);
      return;
    }
  pump (producer);
}

static void
closed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Producer *producer = user_data;
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_close_finish (producer->writer, result, &error))
    printf ("closed\n");
  else
    printf ("close failed: %s\n", error->message);
  g_main_loop_quit (producer->loop);
}

/* Writes while the stream wants more, then waits for it to be ready. */
static void
pump (Producer *producer)
{
  double desired = 0;

  while (*producer->rest != '\0' &&
         wstream_default_writer_get_desired_size (producer->writer, &desired, NULL) &&
         desired > 0)
    {
      g_autofree char *chunk = g_strndup (producer->rest, CHUNK_SIZE);
      GValue value = G_VALUE_INIT;

      producer->rest += strlen (chunk);
      printf ("write \"%s\"\n", chunk);
      g_value_init (&value, G_TYPE_STRING);
      g_value_take_string (&value, g_steal_pointer (&chunk));
      /* Nobody waits for this write: it costs its queue entry only. */
      wstream_default_writer_write_async (producer->writer, &value, NULL, NULL, NULL);
      g_value_unset (&value);
    }

  if (*producer->rest != '\0')
    {
      printf ("wait: desired size %g\n", desired);
      wstream_default_writer_wait_ready_async (producer->writer, NULL, ready_cb, producer);
    }
  else
    wstream_default_writer_close_async (producer->writer, NULL, closed_cb, producer);
}

int
main (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PrintingSink) sink = g_object_new (PRINTING_TYPE_SINK, NULL);
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_count (2, NULL);
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Producer producer = { NULL, MESSAGE, loop };

  setvbuf (stdout, NULL, _IOLBF, 0);

  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, &error);
  if (stream == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  producer.writer = wstream_writable_stream_get_writer (stream, &error);

  pump (&producer);
  g_main_loop_run (loop);

  g_clear_object (&producer.writer);
  return 0;
}
