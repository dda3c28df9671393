/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * W3 of issue 6: throughput of a large copy through a WritableStream over a
 * GOutputStream, next to plain GIO doing the same.
 *
 *   bench-gio [MiB]        (default 1024; WSTREAM_BENCH_GIO_MIB also works)
 *
 * Two targets: a regular file in $TMPDIR (or /tmp), and a pipe drained by
 * another process (`cat > /dev/null`). For each, four ways to move the same
 * bytes in 64 KiB chunks:
 *
 *   write_all loop    g_output_stream_write_all() on each chunk, synchronous
 *   wstream writer    a writer over wstream_writable_stream_new_for_output_stream()
 *                     (byte-length strategy, 1 MiB), GBytes chunks, waiting
 *                     for writer.ready when the stream applies backpressure
 *   splice            g_output_stream_splice() from a generated GInputStream
 *                     (GIO's own loop, 8 KiB at a time, synchronous)
 *   wstream pipe      wstream_writable_stream_pipe_from_input_stream_async()
 *                     from the same generated input, 64 KiB reads
 *
 * It prints numbers and never fails because of them.
 */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <wstream.h>

#define CHUNK_SIZE (64 * 1024)

static guint8 chunk_data[CHUNK_SIZE];

/* A generated input: the same 64 KiB block over and over, up to a size. */
#define BENCH_TYPE_INPUT (bench_input_get_type ())
G_DECLARE_FINAL_TYPE (BenchInput, bench_input, BENCH, INPUT, GInputStream)

struct _BenchInput
{
  GInputStream parent_instance;
  guint64 remaining;
};

G_DEFINE_FINAL_TYPE (BenchInput, bench_input, G_TYPE_INPUT_STREAM)

static gssize
bench_input_read (GInputStream  *stream,
                  void          *buffer,
                  gsize          count,
                  GCancellable  *cancellable,
                  GError       **error)
{
  BenchInput *self = BENCH_INPUT (stream);
  gsize n = MIN (MIN (count, self->remaining), CHUNK_SIZE);

  memcpy (buffer, chunk_data, n);
  self->remaining -= n;
  return n;
}

static void
bench_input_class_init (BenchInputClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = bench_input_read;
}

static void
bench_input_init (BenchInput *self)
{
}

static GInputStream *
bench_input_new (guint64 size)
{
  BenchInput *self = g_object_new (BENCH_TYPE_INPUT, NULL);

  self->remaining = size;
  return G_INPUT_STREAM (self);
}

/* Targets. */

typedef struct {
  const char     *name;
  char           *path;         /* file target */
  GSubprocess    *drain;        /* pipe target */
} Target;

static GOutputStream *
target_open (Target *target)
{
  g_autoptr (GError) error = NULL;

  if (target->path != NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_path (target->path);
      GFileOutputStream *out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                               NULL, &error);
      if (out == NULL)
        g_error ("cannot open %s: %s", target->path, error->message);
      return G_OUTPUT_STREAM (out);
    }

  target->drain = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                                    &error, "cat", NULL);
  if (target->drain == NULL)
    g_error ("cannot start cat: %s", error->message);
  return g_object_ref (g_subprocess_get_stdin_pipe (target->drain));
}

/* After the stream was closed: wait until the drain read everything. */
static void
target_finish (Target *target)
{
  g_autoptr (GError) error = NULL;

  if (target->drain != NULL)
    {
      if (!g_subprocess_wait_check (target->drain, NULL, &error))
        g_error ("cat failed: %s", error->message);
      g_clear_object (&target->drain);
    }
}

static void
target_cleanup (Target *target)
{
  if (target->path != NULL)
    g_unlink (target->path);
}

/* The ways to move the bytes. */

typedef struct {
  GMainLoop            *loop;
  WStreamDefaultWriter *writer;
  GBytes               *chunk;
  guint64               remaining;
  gboolean              ok;
  GError               *error;
} Run;

static void
closed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;

  run->ok = wstream_default_writer_close_finish (WSTREAM_DEFAULT_WRITER (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

static void produce (Run *run);

static void
ready_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;

  if (!wstream_default_writer_wait_ready_finish (WSTREAM_DEFAULT_WRITER (source), result, &run->error))
    {
      g_main_loop_quit (run->loop);
      return;
    }
  produce (run);
}

/* Writes without waiting for each write, as `writer.write(chunk)` with
 * `await writer.ready` does: one GBytes per chunk, no callback per write. */
static void
produce (Run *run)
{
  double desired_size;

  while (run->remaining > 0)
    {
      if (!wstream_default_writer_get_desired_size (run->writer, &desired_size, &run->error))
        {
          g_main_loop_quit (run->loop);
          return;
        }
      if (desired_size <= 0)
        {
          wstream_default_writer_wait_ready_async (run->writer, NULL, ready_cb, run);
          return;
        }
      wstream_default_writer_write_bytes_async (run->writer, run->chunk, NULL, NULL, NULL);
      run->remaining -= CHUNK_SIZE;
    }
  wstream_default_writer_close_async (run->writer, NULL, closed_cb, run);
}

static WStreamWritableStream *
wstream_over (GOutputStream *out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_byte_length (1024 * 1024, &error);
  WStreamWritableStream *stream = wstream_writable_stream_new_for_output_stream (out, strategy, &error);

  if (stream == NULL)
    g_error ("%s", error->message);
  return stream;
}

static void
move_write_all_loop (GOutputStream *out,
                     guint64        size)
{
  g_autoptr (GError) error = NULL;

  for (guint64 done = 0; done < size; done += CHUNK_SIZE)
    if (!g_output_stream_write_all (out, chunk_data, CHUNK_SIZE, NULL, NULL, &error))
      g_error ("write_all: %s", error->message);
  if (!g_output_stream_close (out, NULL, &error))
    g_error ("close: %s", error->message);
}

static void
move_wstream_writer (GOutputStream *out,
                     guint64        size)
{
  g_autoptr (WStreamWritableStream) stream = wstream_over (out);
  Run run = { 0 };

  run.loop = g_main_loop_new (NULL, FALSE);
  run.writer = wstream_writable_stream_get_writer (stream, NULL);
  run.chunk = g_bytes_new_static (chunk_data, CHUNK_SIZE);
  run.remaining = size;
  produce (&run);
  g_main_loop_run (run.loop);
  if (!run.ok)
    g_error ("wstream writer: %s", run.error ? run.error->message : "?");
  g_bytes_unref (run.chunk);
  g_object_unref (run.writer);
  g_main_loop_unref (run.loop);
}

static void
move_splice (GOutputStream *out,
             guint64        size)
{
  g_autoptr (GInputStream) in = bench_input_new (size);
  g_autoptr (GError) error = NULL;

  if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error) != (gssize) size)
    g_error ("splice: %s", error ? error->message : "short");
}

static void
piped_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;

  run->ok = wstream_writable_stream_pipe_from_input_stream_finish (WSTREAM_WRITABLE_STREAM (source),
                                                                   result, NULL, &run->error);
  g_main_loop_quit (run->loop);
}

static void
move_wstream_pipe (GOutputStream *out,
                   guint64        size)
{
  g_autoptr (WStreamWritableStream) stream = wstream_over (out);
  g_autoptr (GInputStream) in = bench_input_new (size);
  Run run = { 0 };

  run.loop = g_main_loop_new (NULL, FALSE);
  wstream_writable_stream_pipe_from_input_stream_async (stream, in, WSTREAM_PIPE_FLAGS_NONE,
                                                        CHUNK_SIZE, G_PRIORITY_DEFAULT, NULL,
                                                        piped_cb, &run);
  g_main_loop_run (run.loop);
  if (!run.ok)
    g_error ("wstream pipe: %s", run.error ? run.error->message : "?");
  g_main_loop_unref (run.loop);
}

typedef struct {
  const char *name;
  void      (*move) (GOutputStream *out, guint64 size);
} Method;

static const Method methods[] = {
  { "write_all loop", move_write_all_loop },
  { "wstream writer", move_wstream_writer },
  { "splice",         move_splice },
  { "wstream pipe",   move_wstream_pipe },
};

int
main (int    argc,
      char **argv)
{
  const char *env = g_getenv ("WSTREAM_BENCH_GIO_MIB");
  guint64 mib = 1024;
  g_autofree char *dir = NULL;
  Target targets[2] = {
    { .name = "file" },
    { .name = "pipe" },
  };

  if (argc > 1)
    mib = g_ascii_strtoull (argv[1], NULL, 10);
  else if (env != NULL)
    mib = g_ascii_strtoull (env, NULL, 10);
  if (mib == 0)
    mib = 1024;

  for (gsize i = 0; i < sizeof chunk_data; i++)
    chunk_data[i] = (guint8) (i * 131 + 7);

  dir = g_dir_make_tmp ("wstream-bench-gio-XXXXXX", NULL);
  targets[0].path = g_build_filename (dir, "out", NULL);

  printf ("# bench-gio: %" G_GUINT64_FORMAT " MiB in %d KiB chunks\n", mib, CHUNK_SIZE / 1024);
  printf ("%-6s %-16s %10s %12s\n", "target", "method", "seconds", "MiB/s");
  for (gsize t = 0; t < G_N_ELEMENTS (targets); t++)
    for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
      {
        Target *target = &targets[t];
        g_autoptr (GOutputStream) out = target_open (target);
        gint64 start = g_get_monotonic_time ();
        double seconds;

        methods[m].move (out, mib * 1024 * 1024);
        target_finish (target);
        seconds = (g_get_monotonic_time () - start) / 1e6;
        printf ("%-6s %-16s %10.3f %12.1f\n", target->name, methods[m].name, seconds, mib / seconds);
        fflush (stdout);
        target_cleanup (target);
      }

  g_rmdir (dir);
  g_free (targets[0].path);
  return 0;
}
