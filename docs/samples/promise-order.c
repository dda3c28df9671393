/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Callbacks run from the main loop, in the order the promises settle; a
 * cancelled wait ends early and changes nothing else. */
#include <wstream.h>

static GMainLoop *loop;

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_write_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    g_print ("write %s: done\n", (const char *) user_data);
  else
    g_print ("write %s: failed: %s\n", (const char *) user_data, error->message);
}

static void
close_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_close_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    g_print ("close: done\n");
  else
    g_print ("close: failed: %s\n", error->message);
}

static void
closed_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_wait_closed_finish (WSTREAM_DEFAULT_WRITER (source), result, &error))
    g_print ("closed promise: fulfilled\n");
}

static void
write_string (WStreamDefaultWriter *writer,
              const char           *text)
{
  g_auto (GValue) chunk = G_VALUE_INIT;

  g_value_init (&chunk, G_TYPE_STRING);
  g_value_set_static_string (&chunk, text);
  wstream_default_writer_write_async (writer, &chunk, NULL, write_done, (gpointer) text);
}

static void
waited (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  WStreamPromise *promise = WSTREAM_PROMISE (source);
  g_autoptr (GError) error = NULL;

  if (wstream_promise_wait_finish (promise, result, &error))
    {
      g_print ("%s: fulfilled with %s\n", (const char *) user_data,
               g_value_get_string (wstream_promise_get_value (promise)));
      g_main_loop_quit (loop);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_print ("%s: stopped waiting; the promise is still %s\n", (const char *) user_data,
             wstream_promise_get_state (promise) == WSTREAM_PROMISE_PENDING ? "pending" : "settled");
  else
    g_print ("%s: rejected: %s\n", (const char *) user_data, error->message);
}

static gboolean
resolve_later (gpointer user_data)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_static_string (&value, "42");
  g_print ("resolving the promise\n");
  wstream_promise_resolve (user_data, &value);
  return G_SOURCE_REMOVE;
}

static void
cancel_one_wait (void)
{
  g_autoptr (WStreamPromise) promise = wstream_promise_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  /* Two waits on one promise; cancelling the first leaves the second. */
  wstream_promise_wait_async (promise, cancellable, waited, "wait 1");
  wstream_promise_wait_async (promise, NULL, waited, "wait 2");
  g_cancellable_cancel (cancellable);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, resolve_later, g_object_ref (promise), g_object_unref);
}

int
main (void)
{
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;

  /* A NULL sink accepts everything, as the Standard's empty sink does. */
  stream = wstream_writable_stream_new (NULL, NULL, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);

  wstream_default_writer_wait_closed_async (writer, NULL, closed_done, NULL);
  write_string (writer, "a");
  write_string (writer, "b");
  wstream_default_writer_close_async (writer, NULL, close_done, NULL);
  write_string (writer, "c");   /* fails: the stream is closing */
  cancel_one_wait ();
  g_print ("all calls returned; no callback ran yet\n");

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  g_main_loop_unref (loop);
  return 0;
}
