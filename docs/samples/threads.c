/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stream used from a worker thread: it belongs to the context that was
 * the thread-default one when it was made, and calls back there. */
#include <wstream.h>

static void
close_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;

  wstream_default_writer_close_finish (WSTREAM_DEFAULT_WRITER (source), result, NULL);
  g_print ("worker: closed, called back in the worker: %s\n",
           g_main_context_is_owner (g_main_context_get_thread_default ()) ? "yes" : "no");
  *done = TRUE;
}

static gpointer
worker (gpointer user_data)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  g_auto (GValue) chunk = G_VALUE_INIT;
  gboolean done = FALSE;

  /* Everything made from here on belongs to this thread's context. */
  g_main_context_push_thread_default (context);

  stream = wstream_writable_stream_new (NULL, NULL, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  g_value_init (&chunk, G_TYPE_STRING);
  g_value_set_static_string (&chunk, "from the worker");
  wstream_default_writer_write_async (writer, &chunk, NULL, NULL, NULL);
  wstream_default_writer_close_async (writer, NULL, close_done, &done);

  while (!done)
    g_main_context_iteration (context, TRUE);

  g_main_context_pop_thread_default (context);
  return NULL;
}

int
main (void)
{
  GThread *thread = g_thread_new ("worker", worker, NULL);

  g_thread_join (thread);
  g_print ("main: the worker is done\n");
  return 0;
}
