/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Soak: many writes through many streams, with a sink of random latency
 * (settles now, after a few main-loop iterations, or fails), a producer that
 * honours backpressure, and random aborts and closes.  Measured the whole
 * time: the chunks alive (every chunk is a GBytes whose free function counts
 * it), which must stay within the high-water mark plus one chunk; after
 * each stream, that everything was finalized and no chunk is left.
 *
 * By default it stops after 1,000,000 writes or 3 seconds, whichever comes
 * first (a stop condition, not an assertion: under valgrind it simply does
 * fewer).  WSTREAM_SOAK_WRITES and WSTREAM_SOAK_SECONDS raise both:
 *
 *   WSTREAM_SOAK_WRITES=50000000 WSTREAM_SOAK_SECONDS=600 meson test -C BUILD soak -v
 *
 * Figures (writes, streams, peaks, RSS) are printed, not asserted. */
#include <stdlib.h>

#include "test-util.h"

static guint64 live_chunks, live_bytes, peak_chunks;

static void
chunk_free (gpointer data)
{
  gsize len = *(gsize *) data;

  g_assert_cmpuint (live_chunks, >, 0);
  live_chunks--;
  live_bytes -= len;
  g_free (data);
}

static GBytes *
chunk_new (gsize len)
{
  /* The length rides in front of the payload, for the free function. */
  gsize *block = g_malloc (sizeof (gsize) + len);

  *block = len;
  memset (block + 1, 'x', len);
  live_chunks++;
  live_bytes += len;
  peak_chunks = MAX (peak_chunks, live_chunks);
  return g_bytes_new_with_free_func (block + 1, len, chunk_free, block);
}

/* ---------------------------------------------------------------------- */
/* A sink of random latency                                                */
/* ---------------------------------------------------------------------- */

#define SOAK_TYPE_SINK (soak_sink_get_type ())
G_DECLARE_FINAL_TYPE (SoakSink, soak_sink, SOAK, SINK, GObject)

struct _SoakSink
{
  GObject parent_instance;
  guint64 written;
  guint64 bytes;
};

static void soak_sink_iface_init (WStreamSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SoakSink, soak_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WSTREAM_TYPE_SINK, soak_sink_iface_init))

typedef struct
{
  WStreamPromise *promise;
  int countdown;
  gboolean fail;
} Later;

static gboolean
later_cb (gpointer data)
{
  Later *later = data;
  g_autoptr (GError) error = NULL;

  if (later->countdown-- > 0)
    return G_SOURCE_CONTINUE;
  if (later->fail)
    {
      error = make_error ("write failed later");
      wstream_promise_reject (later->promise, error);
    }
  else
    wstream_promise_resolve (later->promise, NULL);
  g_object_unref (later->promise);
  g_free (later);
  return G_SOURCE_REMOVE;
}

static gboolean
soak_sink_write (WStreamSink               *sink,
                 const GValue              *chunk,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  SoakSink *self = SOAK_SINK (sink);
  int r = g_test_rand_int_range (0, 1000);

  self->written++;
  self->bytes += g_bytes_get_size (g_value_get_boxed (chunk));
  if (r < 450)
    return TRUE;                     /* settles now */
  if (r < 452)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "write failed");
      return FALSE;
    }
  {
    Later *later = g_new0 (Later, 1);

    later->promise = wstream_default_controller_defer (controller);
    later->countdown = g_test_rand_int_range (0, 4);
    later->fail = r >= 998;
    g_idle_add (later_cb, later);
    return TRUE;
  }
}

static gboolean
soak_sink_close (WStreamSink               *sink,
                 WStreamDefaultController  *controller,
                 GError                   **error)
{
  Later *later = g_new0 (Later, 1);

  later->promise = wstream_default_controller_defer (controller);
  later->countdown = g_test_rand_int_range (0, 3);
  g_idle_add (later_cb, later);
  return TRUE;
}

static void
soak_sink_iface_init (WStreamSinkInterface *iface)
{
  iface->write = soak_sink_write;
  iface->close = soak_sink_close;
}

static void
soak_sink_class_init (SoakSinkClass *klass)
{
}

static void
soak_sink_init (SoakSink *self)
{
}

/* ---------------------------------------------------------------------- */
/* The producer                                                            */
/* ---------------------------------------------------------------------- */

typedef struct
{
  WStreamWritableStream *stream;
  WStreamDefaultWriter *writer;
  SoakSink *sink;
  gboolean by_bytes;
  double hwm;
  gboolean ending;
  gboolean done;
  guint64 *writes;
  guint64 target;
  gint64 deadline;
} Round;

static void produce (Round *round);

static void
end_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      data)
{
  Round *round = data;

  /* The outcome does not matter (the sink may have failed first). */
  (void) wstream_default_writer_wait_closed_finish (WSTREAM_DEFAULT_WRITER (source), result, NULL);
  round->done = TRUE;
}

static void
end_round (Round *round)
{
  if (round->ending)
    return;
  round->ending = TRUE;
  if (g_test_rand_int_range (0, 2) == 0)
    {
      g_autoptr (GError) reason = make_error ("soak abort");
      wstream_default_writer_abort_async (round->writer, reason, NULL, NULL, NULL);
    }
  else
    wstream_default_writer_close_async (round->writer, NULL, NULL, NULL);
  wstream_default_writer_wait_closed_async (round->writer, NULL, end_cb, round);
}

/* The sink failed and errored the stream: wait for closed and go on. */
static void
errored (Round *round)
{
  if (round->ending)
    return;
  round->ending = TRUE;
  wstream_default_writer_wait_closed_async (round->writer, NULL, end_cb, round);
}

static void
ready_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Round *round = data;

  if (!wstream_default_writer_wait_ready_finish (WSTREAM_DEFAULT_WRITER (source), result, NULL))
    errored (round);
  else
    produce (round);
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  /* Some writes are watched, to exercise results; any outcome is fine. */
  (void) wstream_default_writer_write_finish (WSTREAM_DEFAULT_WRITER (source), result, NULL);
}

static void
produce (Round *round)
{
  while (!round->ending)
    {
      double desired;
      GValue value = G_VALUE_INIT;
      gsize len;

      if (!wstream_default_writer_get_desired_size (round->writer, &desired, NULL))
        {
          errored (round);
          return;
        }
      if (desired <= 0)
        {
          wstream_default_writer_wait_ready_async (round->writer, NULL, ready_cb, round);
          return;
        }

      len = g_test_rand_int_range (1, 65);
      g_value_init (&value, G_TYPE_BYTES);
      g_value_take_boxed (&value, chunk_new (len));
      wstream_default_writer_write_async (round->writer, &value, NULL,
                                          (*round->writes & 15) == 0 ? write_cb : NULL, NULL);
      g_value_unset (&value);
      (*round->writes)++;

      /* The measurement: what the stream holds stays within the high-water
       * mark plus the one chunk that may cross it. */
      if (round->by_bytes)
        g_assert_cmpfloat ((double) live_bytes, <=, round->hwm + 64);
      else
        g_assert_cmpfloat ((double) live_chunks, <=, round->hwm + 1);

      if (*round->writes >= round->target || g_get_monotonic_time () > round->deadline
          || g_test_rand_int_range (0, 20000) == 0)
        {
          end_round (round);
          return;
        }
    }
}

static guint64
env_u64 (const char *name,
         guint64     fallback)
{
  const char *s = g_getenv (name);

  return s ? g_ascii_strtoull (s, NULL, 10) : fallback;
}

static gsize
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  p = strstr (status, "VmRSS:");
  return p ? strtoul (p + 6, NULL, 10) : 0;
}

static void
test_soak (void)
{
  guint64 target = env_u64 ("WSTREAM_SOAK_WRITES", 1000000);
  gint64 deadline = g_get_monotonic_time () + env_u64 ("WSTREAM_SOAK_SECONDS", 3) * G_USEC_PER_SEC;
  guint64 writes = 0, rounds = 0, sink_writes = 0;
  gsize rss_start = rss_kib (), rss_peak = rss_start;

  while (writes < target && g_get_monotonic_time () <= deadline)
    {
      Round round = { 0, };
      g_autoptr (WStreamQueuingStrategy) strategy = NULL;
      gpointer w_stream, w_writer, w_sink;

      round.by_bytes = g_test_rand_bit ();
      round.hwm = round.by_bytes ? g_test_rand_int_range (16, 2048) : g_test_rand_int_range (1, 33);
      round.writes = &writes;
      round.target = target;
      round.deadline = deadline;
      strategy = round.by_bytes ? wstream_queuing_strategy_new_byte_length (round.hwm, NULL)
                                : wstream_queuing_strategy_new_count (round.hwm, NULL);
      round.sink = g_object_new (SOAK_TYPE_SINK, NULL);
      round.stream = wstream_writable_stream_new (WSTREAM_SINK (round.sink), strategy, NULL);
      round.writer = wstream_writable_stream_get_writer (round.stream, NULL);
      w_stream = round.stream;
      w_writer = round.writer;
      w_sink = round.sink;
      g_object_add_weak_pointer (w_stream, &w_stream);
      g_object_add_weak_pointer (w_writer, &w_writer);
      g_object_add_weak_pointer (w_sink, &w_sink);

      produce (&round);
      run_until_true (&round.done);
      sink_writes += round.sink->written;
      g_object_unref (round.writer);
      g_object_unref (round.stream);
      g_object_unref (round.sink);
      run_until_idle ();

      g_assert_null (w_stream);
      g_assert_null (w_writer);
      g_assert_null (w_sink);
      g_assert_cmpuint (live_chunks, ==, 0);
      g_assert_cmpuint (live_bytes, ==, 0);
      rounds++;
      if ((rounds & 63) == 0)
        rss_peak = MAX (rss_peak, rss_kib ());
    }
  rss_peak = MAX (rss_peak, rss_kib ());

  g_assert_cmpuint (writes, >, 0);
  g_assert_cmpuint (sink_writes, <=, writes);
  g_test_message ("soak: %" G_GUINT64_FORMAT " writes (%" G_GUINT64_FORMAT " reached the sink) "
                  "through %" G_GUINT64_FORMAT " streams; peak chunks alive %" G_GUINT64_FORMAT
                  "; RSS %zu KiB at start, %zu KiB peak, %zu KiB at end",
                  writes, sink_writes, rounds, peak_chunks, rss_start, rss_peak, rss_kib ());
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/soak/random-latencies-and-aborts-stay-within-the-high-water-mark", test_soak);
  return g_test_run ();
}
