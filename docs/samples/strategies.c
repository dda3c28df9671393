/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Queuing strategies: how the desired size follows what is queued. */
#include <wstream.h>

static void
show_desired_size (WStreamDefaultWriter *writer,
                   const char           *after)
{
  double desired;
  g_autoptr (GError) error = NULL;

  if (wstream_default_writer_get_desired_size (writer, &desired, &error))
    g_print ("  after %s: desired size %g\n", after, desired);
  else
    g_print ("  after %s: no desired size (%s)\n", after, error->message);
}

/* docs-region: custom-size */
/* A custom size: the number of words in a string chunk. */
static gboolean
count_words (const GValue  *chunk,
             double        *out_size,
             gpointer       user_data,
             GError       **error)
{
  g_auto (GStrv) words = NULL;

  if (!G_VALUE_HOLDS_STRING (chunk))
    {
      /* The write fails, and the stream errors, with this error. */
      g_set_error_literal (error, WSTREAM_ERROR, WSTREAM_ERROR_INVALID_CHUNK_TYPE,
                           "only strings have words");
      return FALSE;
    }
  words = g_strsplit (g_value_get_string (chunk), " ", -1);
  *out_size = g_strv_length (words);
  return TRUE;
}
/* docs-region-end */

static void
write_string (WStreamDefaultWriter *writer,
              const char           *text)
{
  g_auto (GValue) chunk = G_VALUE_INIT;

  g_value_init (&chunk, G_TYPE_STRING);
  g_value_set_static_string (&chunk, text);
  wstream_default_writer_write_async (writer, &chunk, NULL, NULL, NULL);
}

static void
try_strategy (const char             *name,
              WStreamQueuingStrategy *strategy)
{
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;

  g_print ("%s, high-water mark %g:\n", name,
           wstream_queuing_strategy_get_high_water_mark (strategy));
  /* The stream starts from the main loop: until it runs, every chunk
   * written stays queued. */
  stream = wstream_writable_stream_new (NULL, strategy, NULL);
  writer = wstream_writable_stream_get_writer (stream, NULL);
  show_desired_size (writer, "nothing");
  write_string (writer, "hello world");
  show_desired_size (writer, "\"hello world\"");
  write_string (writer, "bye");
  show_desired_size (writer, "\"bye\"");

  /* Let the stream start and write everything before we drop it. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  show_desired_size (writer, "the main loop ran");
}

int
main (void)
{
  g_autoptr (WStreamQueuingStrategy) count = NULL;
  g_autoptr (WStreamQueuingStrategy) bytes = NULL;
  g_autoptr (WStreamQueuingStrategy) words = NULL;
  g_autoptr (WStreamQueuingStrategy) invalid = NULL;
  g_autoptr (GError) error = NULL;

  /* docs-region: make */
  count = wstream_queuing_strategy_new_count (2, NULL);         /* 2 chunks */
  bytes = wstream_queuing_strategy_new_byte_length (16, NULL);  /* 16 bytes */
  words = wstream_queuing_strategy_new_custom (5, count_words, NULL, NULL, NULL);

  /* NaN or a negative high-water mark is the Standard's RangeError. */
  invalid = wstream_queuing_strategy_new_count (-1, &error);
  g_assert (invalid == NULL);
  g_print ("-1: %s\n", error->message);
  /* docs-region-end */

  try_strategy ("count", count);
  try_strategy ("byte length", bytes);
  try_strategy ("words", words);
  return 0;
}
