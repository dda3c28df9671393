/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmarks W1, W2, W4 and W5 of issue 6 on wstream. The same workloads on
 * Node's built-in WritableStream are in bench-node.mjs; run-benchmarks.py
 * runs both and prints the table.
 *
 *   bench-wstream [--n N] [--runs R] [W1] [W2] [W4] [W5] [W5p] [R1] [GT]
 *
 * Prints lines such as "W1 ns_per_write 37.5" (wall-clock, the best of R
 * runs), "W1 cpu_ns_per_write 36.0" (process CPU time, the best of R runs)
 * or "W4 bytes_per_write 41.9". Every workload checks that the sink received
 * every write, in order, with every byte, and exits with status 1 if not.
 *
 * W1  pipelined writes: N writes of a 64-byte GBytes, count strategy with
 *     high-water mark 1024, no callback per write; when the desired size is
 *     <= 0 the producer waits for `ready`; then close.
 * W2  awaited writes: each write starts from the previous write's callback.
 * W4  queue memory: N writes queued behind a sink whose first write never
 *     completes, high-water mark +inf, no callbacks; heap bytes per queued
 *     write (mallinfo2 in-use bytes, small and mmapped blocks). The chunks
 *     are shared GBytes, so the figure excludes the chunk's own data.
 * W5  the same sink's write called N times directly, without a stream.
 * W5p the same through wstream_sink_write() with a GValue made per call.
 * R1  the floor of W1's ready round trip: N waits for `ready` on a writer
 *     without backpressure, each started from the previous one's callback
 *     (JS: `await writer.ready`). No write, no sink call.
 * GT  GLib's own floor for one callback from the main loop: N GTask round
 *     trips (g_task_new, g_task_return_boolean, the callback,
 *     g_task_propagate_boolean), each started from the previous callback.
 */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wstream.h>

#define CHUNK_SIZE 64
#define N_CHUNKS 256   /* distinct chunks; chunk i has first byte i % 256 */

/* ---------------------------------------------------------------------- */
/* The sink: completes synchronously, checks order and sizes.             */
/* ---------------------------------------------------------------------- */

#define BENCH_TYPE_SINK (bench_sink_get_type ())
G_DECLARE_FINAL_TYPE (BenchSink, bench_sink, BENCH, SINK, GObject)

struct _BenchSink
{
  GObject parent_instance;

  guint64 writes;
  guint64 bytes;
  guint64 bad;            /* chunks that were not the expected GBytes */
  gboolean closed;
  gboolean hold_first;    /* W4: the first write never completes (until released) */
  WStreamPromise *held;   /* the first write's deferred promise */
};

static void bench_sink_iface_init (WStreamSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BenchSink, bench_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, bench_sink_iface_init))

static void
bench_sink_finalize (GObject *object)
{
  BenchSink *self = BENCH_SINK (object);

  g_clear_object (&self->held);
  G_OBJECT_CLASS (bench_sink_parent_class)->finalize (object);
}

static void
bench_sink_class_init (BenchSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bench_sink_finalize;
}

static void
bench_sink_init (BenchSink *self)
{
}

static gboolean
bench_sink_write (WStreamSink               *sink,
                  const GValue              *chunk,
                  WStreamDefaultController  *controller,
                  GError                   **error)
{
  BenchSink *self = (BenchSink *) sink;
  GBytes *bytes;
  const guint8 *data;
  gsize size;

  /* Deliberately cheap, so that the stream's own cost shows: an exact type
   * test and the boxed pointer read from the GValue, where a general sink
   * would use G_VALUE_HOLDS() and g_value_get_boxed() (~100 instructions of
   * GType checks between them). */
  if (G_UNLIKELY (G_VALUE_TYPE (chunk) != G_TYPE_BYTES))
    {
      self->bad++;
      return TRUE;
    }
  bytes = chunk->data[0].v_pointer;
  data = g_bytes_get_data (bytes, &size);
  if (G_UNLIKELY (size != CHUNK_SIZE || data[0] != (guint8) self->writes))
    self->bad++;
  self->writes++;
  self->bytes += size;

  if (G_UNLIKELY (self->hold_first && self->writes == 1))
    self->held = wstream_default_controller_defer (controller);
  return TRUE;
}

static gboolean
bench_sink_close (WStreamSink               *sink,
                  WStreamDefaultController  *controller,
                  GError                   **error)
{
  BENCH_SINK (sink)->closed = TRUE;
  return TRUE;
}

static void
bench_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->write = bench_sink_write;
  iface->close = bench_sink_close;
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */
/* ---------------------------------------------------------------------- */

static GBytes *chunks[N_CHUNKS];

/* Wall-clock and CPU time of a measured stretch. On a shared machine the
 * CPU time (the process was scheduled) is the steadier figure. */
typedef struct {
  gint64 wall_ns;
  gint64 cpu_ns;
} Stamp;

static Stamp
stamp_now (void)
{
  struct timespec wall, cpu;

  clock_gettime (CLOCK_MONOTONIC, &wall);
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &cpu);
  return (Stamp) { wall.tv_sec * G_GINT64_CONSTANT (1000000000) + wall.tv_nsec,
                   cpu.tv_sec * G_GINT64_CONSTANT (1000000000) + cpu.tv_nsec };
}

/* Nanoseconds per write, wall-clock and CPU. */
typedef struct {
  double wall;
  double cpu;
} Timing;

static Timing
timing_since (Stamp    start,
              guint64  n)
{
  Stamp end = stamp_now ();

  return (Timing) { (double) (end.wall_ns - start.wall_ns) / n,
                    (double) (end.cpu_ns - start.cpu_ns) / n };
}

static void
make_chunks (void)
{
  for (guint i = 0; i < N_CHUNKS; i++)
    {
      guint8 data[CHUNK_SIZE];

      memset (data, 0xa5, sizeof data);
      data[0] = (guint8) i;
      chunks[i] = g_bytes_new (data, sizeof data);
    }
}

static void
check_sink (const char *workload,
            BenchSink  *sink,
            guint64     n)
{
  if (sink->writes != n || sink->bytes != n * CHUNK_SIZE || sink->bad != 0 || !sink->closed)
    {
      g_printerr ("%s: FAILED: the sink got %" G_GUINT64_FORMAT " writes, %" G_GUINT64_FORMAT
                  " bytes, %" G_GUINT64_FORMAT " bad chunks, closed=%d; expected %" G_GUINT64_FORMAT
                  " writes, %" G_GUINT64_FORMAT " bytes, closed\n",
                  workload, sink->writes, sink->bytes, sink->bad, sink->closed, n, n * CHUNK_SIZE);
      exit (1);
    }
}

static void
die_on_error (const char *what,
              GError     *error)
{
  if (error != NULL)
    {
      g_printerr ("%s: FAILED: %s\n", what, error->message);
      exit (1);
    }
}

static WStreamWritableStream *
make_stream (BenchSink *sink,
             double     hwm)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WStreamQueuingStrategy) strategy = wstream_queuing_strategy_new_count (hwm, &error);
  WStreamWritableStream *stream;

  die_on_error ("strategy", error);
  stream = wstream_writable_stream_new (WSTREAM_SINK (sink), strategy, &error);
  die_on_error ("stream", error);
  return stream;
}

typedef struct {
  const char           *workload;
  WStreamDefaultWriter *writer;
  guint64               i;
  guint64               n;
  gboolean              done;
} Producer;

static void
close_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Producer *p = user_data;
  GError *error = NULL;

  wstream_default_writer_close_finish (p->writer, result, &error);
  die_on_error (p->workload, error);
  p->done = TRUE;
}

static void
run_until_done (Producer *p)
{
  while (!p->done)
    g_main_context_iteration (NULL, TRUE);
}

/* Runs a producer on a fresh stream with high-water mark @hwm: @start
 * begins it, the main loop runs until it closed the stream, and the sink
 * must have received @n_writes writes. */
static Timing
run_producer (const char *workload,
              double      hwm,
              guint64     n,
              guint64     n_writes,
              void      (*start) (Producer *p))
{
  g_autoptr (BenchSink) sink = g_object_new (BENCH_TYPE_SINK, NULL);
  g_autoptr (WStreamWritableStream) stream = make_stream (sink, hwm);
  g_autoptr (GError) error = NULL;
  g_autoptr (WStreamDefaultWriter) writer = wstream_writable_stream_get_writer (stream, &error);
  Producer p = { workload, writer, 0, n, FALSE };
  Stamp begin;
  Timing t;

  die_on_error (workload, error);
  begin = stamp_now ();
  start (&p);
  run_until_done (&p);
  t = timing_since (begin, n);
  check_sink (workload, sink, n_writes);
  return t;
}


/* ---------------------------------------------------------------------- */
/* W1: pipelined writes                                                    */
/* ---------------------------------------------------------------------- */

static void w1_pump (Producer *p);

static void
w1_ready_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Producer *p = user_data;
  GError *error = NULL;

  wstream_default_writer_wait_ready_finish (p->writer, result, &error);
  die_on_error ("W1 ready", error);
  w1_pump (p);
}

static void
w1_pump (Producer *p)
{
  while (p->i < p->n)
    {
      double desired;
      GError *error = NULL;

      if (!wstream_default_writer_get_desired_size (p->writer, &desired, &error))
        die_on_error ("W1 desired size", error);
      if (desired <= 0)
        {
          wstream_default_writer_wait_ready_async (p->writer, NULL, w1_ready_cb, p);
          return;
        }
      wstream_default_writer_write_bytes_async (p->writer, chunks[p->i % N_CHUNKS], NULL, NULL, NULL);
      p->i++;
    }
  wstream_default_writer_close_async (p->writer, NULL, close_cb, p);
}

static void
w1_start (Producer *p)
{
  w1_pump (p);
}

static Timing
run_w1 (guint64 n)
{
  return run_producer ("W1", 1024, n, n, w1_start);
}

/* ---------------------------------------------------------------------- */
/* W2: awaited writes                                                      */
/* ---------------------------------------------------------------------- */

static void
w2_write_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Producer *p = user_data;
  GError *error = NULL;

  if (!wstream_default_writer_write_finish (p->writer, result, &error))
    die_on_error ("W2 write", error);
  if (++p->i < p->n)
    wstream_default_writer_write_bytes_async (p->writer, chunks[p->i % N_CHUNKS], NULL, w2_write_cb, p);
  else
    wstream_default_writer_close_async (p->writer, NULL, close_cb, p);
}

static void
w2_start (Producer *p)
{
  wstream_default_writer_write_bytes_async (p->writer, chunks[0], NULL, w2_write_cb, p);
}

static Timing
run_w2 (guint64 n)
{
  return run_producer ("W2", 1, n, n, w2_start);
}

/* ---------------------------------------------------------------------- */
/* W4: queue memory                                                        */
/* ---------------------------------------------------------------------- */

static gsize
heap_in_use (void)
{
  struct mallinfo2 mi = mallinfo2 ();

  return mi.uordblks + mi.hblkhd;
}

static gsize
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return 0;
  return resident * (gsize) sysconf (_SC_PAGESIZE);
}

static double
run_w4 (guint64 n,
        double *out_rss_per_write,
        double *out_ns_per_write)
{
  g_autoptr (BenchSink) sink = g_object_new (BENCH_TYPE_SINK, NULL);
  g_autoptr (WStreamWritableStream) stream = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (WStreamDefaultWriter) writer = NULL;
  Producer p = { "W4", NULL, 0, n, FALSE };
  gsize before, after, rss_before, rss_after;
  Stamp start;
  Timing t;

  sink->hold_first = TRUE;
  stream = make_stream (sink, INFINITY);
  writer = wstream_writable_stream_get_writer (stream, &error);
  die_on_error ("W4 writer", error);
  p.writer = writer;

  /* Let the start job run, so that the first write reaches the sink. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  rss_before = resident_bytes ();
  before = heap_in_use ();
  start = stamp_now ();
  for (guint64 i = 0; i < n; i++)
    wstream_default_writer_write_bytes_async (writer, chunks[i % N_CHUNKS], NULL, NULL, NULL);
  t = timing_since (start, n);
  /* Whatever jobs the writes queued are part of the cost. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  after = heap_in_use ();
  rss_after = resident_bytes ();
  *out_rss_per_write = ((double) rss_after - (double) rss_before) / n;
  *out_ns_per_write = t.cpu;

  if (sink->writes != 1 || sink->held == NULL)
    {
      g_printerr ("W4: FAILED: the sink got %" G_GUINT64_FORMAT " writes while the first one was pending\n",
                  sink->writes);
      exit (1);
    }

  /* Release the first write: every queued chunk must reach the sink. */
  wstream_promise_resolve (sink->held, NULL);
  wstream_default_writer_close_async (writer, NULL, close_cb, &p);
  run_until_done (&p);
  check_sink ("W4", sink, n);

  return ((double) after - (double) before) / n;
}

/* ---------------------------------------------------------------------- */
/* W5: the sink called directly                                            */
/* ---------------------------------------------------------------------- */

/* W5: the sink's write vfunc through its interface, as the stream calls
 * it, with one GValue per distinct chunk made beforehand. */
static Timing
run_w5 (guint64 n)
{
  g_autoptr (BenchSink) sink = g_object_new (BENCH_TYPE_SINK, NULL);
  WStreamSinkInterface *iface = WSTREAM_SINK_GET_IFACE (sink);
  GValue values[N_CHUNKS] = { G_VALUE_INIT };
  GError *error = NULL;
  Stamp start;
  Timing t;

  for (guint i = 0; i < N_CHUNKS; i++)
    {
      g_value_init (&values[i], G_TYPE_BYTES);
      g_value_set_static_boxed (&values[i], chunks[i]);
    }

  start = stamp_now ();
  for (guint64 i = 0; i < n; i++)
    if (!iface->write ((WStreamSink *) sink, &values[i % N_CHUNKS], NULL, &error))
      die_on_error ("W5", error);
  iface->close ((WStreamSink *) sink, NULL, &error);
  t = timing_since (start, n);
  check_sink ("W5", sink, n);

  for (guint i = 0; i < N_CHUNKS; i++)
    g_value_unset (&values[i]);
  return t;
}

/* W5 through the public wrapper, the way a program without a stream would
 * call a sink: a GValue made per call, wstream_sink_write(). */
static Timing
run_w5_public (guint64 n)
{
  g_autoptr (BenchSink) sink = g_object_new (BENCH_TYPE_SINK, NULL);
  WStreamSink *as_sink = WSTREAM_SINK (sink);
  GError *error = NULL;
  Stamp start;
  Timing t;

  start = stamp_now ();
  for (guint64 i = 0; i < n; i++)
    {
      GValue value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_BYTES);
      g_value_set_static_boxed (&value, chunks[i % N_CHUNKS]);
      if (!wstream_sink_write (as_sink, &value, NULL, &error))
        die_on_error ("W5", error);
      g_value_unset (&value);
    }
  wstream_sink_close (as_sink, NULL, &error);
  t = timing_since (start, n);
  check_sink ("W5 public", sink, n);
  return t;
}


/* ---------------------------------------------------------------------- */
/* R1 and GT: floors of one asynchronous round trip                        */
/* ---------------------------------------------------------------------- */

static void
r1_ready_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Producer *p = user_data;
  GError *error = NULL;

  if (!wstream_default_writer_wait_ready_finish (p->writer, result, &error))
    die_on_error ("R1 ready", error);
  if (++p->i < p->n)
    wstream_default_writer_wait_ready_async (p->writer, NULL, r1_ready_cb, p);
  else
    wstream_default_writer_close_async (p->writer, NULL, close_cb, p);
}

static void
r1_start (Producer *p)
{
  wstream_default_writer_wait_ready_async (p->writer, NULL, r1_ready_cb, p);
}

static Timing
run_r1 (guint64 n)
{
  return run_producer ("R1", 1, n, 0, r1_start);
}

typedef struct {
  guint64 i, n;
  gboolean done;
} TaskLoop;

static void gt_start (TaskLoop *loop);

static void
gt_cb (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  TaskLoop *loop = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    die_on_error ("GT", error);
  if (++loop->i < loop->n)
    gt_start (loop);
  else
    loop->done = TRUE;
}

static void
gt_start (TaskLoop *loop)
{
  GTask *task = g_task_new (NULL, NULL, gt_cb, loop);

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static Timing
run_gt (guint64 n)
{
  TaskLoop loop = { 0, n, FALSE };
  Stamp start;

  start = stamp_now ();
  gt_start (&loop);
  while (!loop.done)
    g_main_context_iteration (NULL, TRUE);
  return timing_since (start, n);
}

/* ---------------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  guint64 n = 1000000;
  guint runs = 5;
  gboolean want[9] = { FALSE };   /* W1..W5, 6 for W5p, 7 for R1, 8 for GT */
  gboolean any = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--n") && i + 1 < argc)
        n = g_ascii_strtoull (argv[++i], NULL, 10);
      else if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        runs = (guint) MAX (1, atoi (argv[i + 1])), i++;
      else if (argv[i][0] == 'W' && argv[i][1] >= '1' && argv[i][1] <= '5' && argv[i][2] == '\0')
        any = want[argv[i][1] - '0'] = TRUE;
      else if (g_str_equal (argv[i], "W5p"))
        any = want[6] = TRUE;
      else if (g_str_equal (argv[i], "R1"))
        any = want[7] = TRUE;
      else if (g_str_equal (argv[i], "GT"))
        any = want[8] = TRUE;
      else
        {
          g_printerr ("usage: %s [--n N] [--runs R] [W1] [W2] [W4] [W5] [W5p] [R1] [GT]\n", argv[0]);
          return 2;
        }
    }
  if (!any)
    want[1] = want[2] = want[4] = want[5] = want[6] = want[7] = want[8] = TRUE;
  if (n == 0)
    n = 1;

  make_chunks ();

  /* W4 first, in a heap that has not been churned by the others. */
  if (want[4])
    {
      double ns, rss, bytes = run_w4 (n, &rss, &ns);

      printf ("W4 bytes_per_write %.1f\n", bytes);
      printf ("W4 rss_per_write %.1f\n", rss);
      printf ("W4 cpu_ns_per_queued_write %.1f\n", ns);
      fflush (stdout);
    }

  for (int w = 1; w <= 8; w++)
    {
      static const char *const names[] = { NULL, "W1", "W2", NULL, NULL, "W5", "W5", "R1", "GT" };
      Timing best = { INFINITY, INFINITY };
      const char *what = w == 6 ? "public_call" : w >= 7 ? "round_trip" : "write";

      if (w == 3 || w == 4 || !want[w])
        continue;
      for (guint r = 0; r < runs; r++)
        {
          Timing t;

          switch (w)
            {
            case 1: t = run_w1 (n); break;
            case 2: t = run_w2 (n); break;
            case 5: t = run_w5 (n); break;
            case 6: t = run_w5_public (n); break;
            case 7: t = run_r1 (n); break;
            default: t = run_gt (n); break;
            }
          best.wall = MIN (best.wall, t.wall);
          best.cpu = MIN (best.cpu, t.cpu);
        }
      printf ("%s ns_per_%s %.1f\n", names[w], what, best.wall);
      printf ("%s cpu_ns_per_%s %.1f\n", names[w], what, best.cpu);
      fflush (stdout);
    }

  for (guint i = 0; i < N_CHUNKS; i++)
    g_bytes_unref (chunks[i]);
  return 0;
}
