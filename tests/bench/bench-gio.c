/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * W3 of issue 6: throughput of a large copy through a WritableStream over a
 * GOutputStream, next to plain GIO doing the same.
 *
 *   bench-gio [MiB [RUNS]]   (default 1024 MiB, best of 3 runs;
 *                             WSTREAM_BENCH_GIO_MIB and _RUNS also work)
 *
 * WSTREAM_BENCH_GIO_ONLY="wstream writer,splice" runs only the listed
 * methods (and the write_all loop, the reference), e.g. under `perf record`.
 *
 * Two targets: a regular file in $TMPDIR (or /tmp), and a pipe drained by
 * another process (`cat > /dev/null`). For each, these ways to move the same
 * bytes in 64 KiB chunks:
 *
 *   write_all loop    g_output_stream_write_all() on each chunk, synchronous:
 *                     the reference every ratio is relative to
 *   write_all_async   GIO's own g_output_stream_write_all_async() loop, one
 *                     chunk after the other (for context)
 *   splice            g_output_stream_splice() from a generated GInputStream
 *                     (GIO's own loop, 8 KiB at a time, synchronous)
 *   wstream writer    a writer over wstream_writable_stream_new_for_output_stream()
 *                     (default sink, byte-length strategy, 1 MiB), GBytes
 *                     chunks, waiting for writer.ready when the stream
 *                     applies backpressure
 *   wstream blocking  the same with the sink's blocking-writes set
 *   wstream pipe      wstream_writable_stream_pipe_from_input_stream_async()
 *                     from the same generated input, 64 KiB reads, default sink
 *   wstream pipe blk  the same with WSTREAM_PIPE_FLAGS_BLOCKING_READS and the
 *                     sink's blocking-writes
 *
 * Besides the time, each row shows the CPU time of this process (all its
 * threads) and its context switches (voluntary + involuntary, getrusage)
 * per 64 KiB chunk in the best run (a GIO worker-thread hand-off shows up
 * as at least two switches per chunk), then the median run and its ratio to
 * the median write_all loop.
 *
 * The runs of the methods are interleaved (run 1 of every method, then run
 * 2, ...) and the best run of each is reported: the machine this was written
 * on has 2 cores shared with other busy processes, so only the best run
 * says something about the code. The load average is printed with the table.
 * It prints numbers and never fails because of them.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

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
wstream_over (GOutputStream *out,
              gboolean       blocking_writes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_byte_length (1024 * 1024, &error);
  g_autoptr (WStreamOutputStreamSink) sink = wstream_output_stream_sink_new (out);
  WStreamWritableStream *stream;

  wstream_output_stream_sink_set_blocking_writes (sink, blocking_writes);
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, &error);
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

typedef struct {
  GMainLoop *loop;
  guint64    remaining;
  GError    *error;
} AsyncLoop;

static void
write_all_async_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  AsyncLoop *run = user_data;
  GOutputStream *out = G_OUTPUT_STREAM (source);

  if (!g_output_stream_write_all_finish (out, result, NULL, &run->error))
    {
      g_main_loop_quit (run->loop);
      return;
    }
  run->remaining -= CHUNK_SIZE;
  if (run->remaining == 0)
    {
      g_main_loop_quit (run->loop);
      return;
    }
  g_output_stream_write_all_async (out, chunk_data, CHUNK_SIZE, G_PRIORITY_DEFAULT, NULL,
                                   write_all_async_cb, run);
}

static void
move_write_all_async_loop (GOutputStream *out,
                           guint64        size)
{
  AsyncLoop run = { .remaining = size };

  run.loop = g_main_loop_new (NULL, FALSE);
  g_output_stream_write_all_async (out, chunk_data, CHUNK_SIZE, G_PRIORITY_DEFAULT, NULL,
                                   write_all_async_cb, &run);
  g_main_loop_run (run.loop);
  if (run.error != NULL)
    g_error ("write_all_async: %s", run.error->message);
  if (!g_output_stream_close (out, NULL, &run.error))
    g_error ("close: %s", run.error->message);
  g_main_loop_unref (run.loop);
}

static void
move_wstream (GOutputStream *out,
              guint64        size,
              gboolean       blocking_writes)
{
  g_autoptr (WStreamWritableStream) stream = wstream_over (out, blocking_writes);
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
move_wstream_writer (GOutputStream *out,
                     guint64        size)
{
  move_wstream (out, size, FALSE);
}

static void
move_wstream_blocking (GOutputStream *out,
                       guint64        size)
{
  move_wstream (out, size, TRUE);
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
move_pipe (GOutputStream *out,
           guint64        size,
           gboolean       blocking)
{
  g_autoptr (WStreamWritableStream) stream = wstream_over (out, blocking);
  g_autoptr (GInputStream) in = bench_input_new (size);
  Run run = { 0 };

  run.loop = g_main_loop_new (NULL, FALSE);
  wstream_writable_stream_pipe_from_input_stream_async (stream, in,
                                                        blocking ? WSTREAM_PIPE_FLAGS_BLOCKING_READS
                                                                 : WSTREAM_PIPE_FLAGS_NONE,
                                                        CHUNK_SIZE, G_PRIORITY_DEFAULT, NULL,
                                                        piped_cb, &run);
  g_main_loop_run (run.loop);
  if (!run.ok)
    g_error ("wstream pipe: %s", run.error ? run.error->message : "?");
  g_main_loop_unref (run.loop);
}

static void
move_wstream_pipe (GOutputStream *out,
                   guint64        size)
{
  move_pipe (out, size, FALSE);
}

static void
move_wstream_pipe_blocking (GOutputStream *out,
                            guint64        size)
{
  move_pipe (out, size, TRUE);
}

typedef struct {
  const char *name;
  void      (*move) (GOutputStream *out, guint64 size);
} Method;

static const Method methods[] = {
  { "write_all loop",   move_write_all_loop },
  { "write_all_async",  move_write_all_async_loop },
  { "splice",           move_splice },
  { "wstream writer",   move_wstream_writer },
  { "wstream blocking", move_wstream_blocking },
  { "wstream pipe",     move_wstream_pipe },
  { "wstream pipe blk", move_wstream_pipe_blocking },
};

typedef struct {
  double seconds;
  double cpu_seconds;
  double switches;
} Figures;

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
rusage_cpu (const struct rusage *ru)
{
  return ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 +
         ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

static Figures
run_once (Target        *target,
          const Method  *method,
          guint64        mib)
{
  g_autoptr (GOutputStream) out = target_open (target);
  struct rusage before, after;
  gint64 start;
  Figures f;

  getrusage (RUSAGE_SELF, &before);
  start = g_get_monotonic_time ();
  method->move (out, mib * 1024 * 1024);
  target_finish (target);
  f.seconds = (g_get_monotonic_time () - start) / 1e6;
  getrusage (RUSAGE_SELF, &after);
  f.cpu_seconds = rusage_cpu (&after) - rusage_cpu (&before);
  f.switches = (after.ru_nvcsw - before.ru_nvcsw) + (after.ru_nivcsw - before.ru_nivcsw);
  target_cleanup (target);
  return f;
}

static void
print_load (const char *when)
{
  g_autofree char *load = NULL;

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    printf ("# load average %s: %s", when, load);
}

int
main (int    argc,
      char **argv)
{
  const char *env = g_getenv ("WSTREAM_BENCH_GIO_MIB");
  const char *env_runs = g_getenv ("WSTREAM_BENCH_GIO_RUNS");
  guint64 mib = 1024, runs = 3;
  g_autofree char *dir = NULL;
  Target targets[2] = {
    { .name = "file" },
    { .name = "pipe" },
  };
  Figures best[G_N_ELEMENTS (targets)][G_N_ELEMENTS (methods)];
  double median[G_N_ELEMENTS (targets)][G_N_ELEMENTS (methods)];
  g_autofree double *all = NULL;
  double chunks;
  g_auto (GStrv) only = NULL;
  gboolean skip[G_N_ELEMENTS (methods)] = { FALSE };

  if (g_getenv ("WSTREAM_BENCH_GIO_ONLY") != NULL)
    {
      only = g_strsplit (g_getenv ("WSTREAM_BENCH_GIO_ONLY"), ",", -1);
      for (gsize m = 1; m < G_N_ELEMENTS (methods); m++)
        skip[m] = !g_strv_contains ((const char * const *) only, methods[m].name);
    }

  if (argc > 1)
    mib = g_ascii_strtoull (argv[1], NULL, 10);
  else if (env != NULL)
    mib = g_ascii_strtoull (env, NULL, 10);
  if (mib == 0)
    mib = 1024;
  if (argc > 2)
    runs = g_ascii_strtoull (argv[2], NULL, 10);
  else if (env_runs != NULL)
    runs = g_ascii_strtoull (env_runs, NULL, 10);
  if (runs == 0)
    runs = 3;

  for (gsize i = 0; i < sizeof chunk_data; i++)
    chunk_data[i] = (guint8) (i * 131 + 7);

  dir = g_dir_make_tmp ("wstream-bench-gio-XXXXXX", NULL);
  targets[0].path = g_build_filename (dir, "out", NULL);

  printf ("# bench-gio (W3): %" G_GUINT64_FORMAT " MiB in %d KiB chunks, best of %" G_GUINT64_FORMAT
          " interleaved runs\n", mib, CHUNK_SIZE / 1024, runs);
  printf ("# %u CPUs online; on a machine shared with other busy processes the wall-clock figures\n"
          "# are noisy (the ratios move by 10-30 points between runs): compare best runs, and the\n"
          "# CPU seconds, which move less. Goal: wstream >= 90 %% of the write_all loop.\n",
          g_get_num_processors ());
  print_load ("before");
  for (gsize t = 0; t < G_N_ELEMENTS (targets); t++)
    {
      all = g_renew (double, all, runs * G_N_ELEMENTS (methods));
      for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
        best[t][m].seconds = G_MAXDOUBLE;
      for (guint64 r = 0; r < runs; r++)
        for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
          {
            Figures f;

            if (skip[m])
              continue;
            f = run_once (&targets[t], &methods[m], mib);
            all[m * runs + r] = f.seconds;

            if (f.seconds < best[t][m].seconds)
              best[t][m] = f;
          }
      for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
        if (!skip[m])
          {
            qsort (all + m * runs, runs, sizeof (double), compare_doubles);
            median[t][m] = all[m * runs + runs / 2];
          }
    }
  print_load ("after");

  chunks = mib * 1024.0 * 1024.0 / CHUNK_SIZE;
  printf ("%-6s %-17s %8s %9s %18s %8s %13s %9s %7s\n", "target", "method", "best s", "MiB/s",
          "vs write_all loop", "CPU s", "ctx sw/chunk", "median s", "ratio");
  for (gsize t = 0; t < G_N_ELEMENTS (targets); t++)
    for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
      if (!skip[m])
        printf ("%-6s %-17s %8.3f %9.1f %17.0f%% %8.3f %13.2f %9.3f %6.0f%%\n", targets[t].name,
                methods[m].name, best[t][m].seconds, mib / best[t][m].seconds,
                100.0 * best[t][0].seconds / best[t][m].seconds,
                best[t][m].cpu_seconds, best[t][m].switches / chunks,
                median[t][m], 100.0 * median[t][0] / median[t][m]);
  fflush (stdout);

  g_rmdir (dir);
  g_free (targets[0].path);
  return 0;
}
