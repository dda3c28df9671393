/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: decodes the input bytes into an operation sequence of
 * the differential test (tests/differential/README.md) and runs it with the
 * C API through the same engine (tests/differential/engine.c): writers,
 * writes of strings, numbers and bytes, close, abort, release, waits,
 * desired size, controller.error(), a scripted sink that settles each
 * start/write/close/abort now, later or never and re-enters the stream from
 * inside its methods, size functions that fail or return invalid sizes,
 * high-water marks from 0 to +inf.
 *
 * Failures: any crash or assertion, AddressSanitizer/UBSan reports, a leak
 * (LeakSanitizer at exit), a hang (libFuzzer -timeout), and a stream or sink
 * not finalized after every reference was dropped (abort()).
 *
 * Build and run: tests/fuzz/run.sh [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>

#include "../differential/engine.h"

typedef struct
{
  const uint8_t *data;
  size_t size;
  size_t pos;
} Input;

static unsigned
next (Input *in)
{
  return in->pos < in->size ? in->data[in->pos++] : 0;
}

static const char *reasons[] = { "E1", "E2", "E3", "-" };

static void
append_chunk (GString *s,
              Input   *in)
{
  unsigned b = next (in);

  switch (b % 3)
    {
    case 0: g_string_append_printf (s, "s%c", 'a' + (b / 3) % 26); break;
    case 1: g_string_append_printf (s, "i%u", (b / 3) % 10); break;
    default: g_string_append_printf (s, "b%u", (b / 3) % 70); break;
    }
}

static void
append_op (GString *s,
           Input   *in,
           gboolean nested)
{
  unsigned op = next (in) % 15;
  unsigned w = next (in) % 3;

  switch (op)
    {
    case 0: case 1: case 2:
      g_string_append_printf (s, "w/%u/", w);
      append_chunk (s, in);
      break;
    case 3: g_string_append_printf (s, "c/%u", w); break;
    case 4: g_string_append_printf (s, "a/%u/%s", w, reasons[next (in) % 4]); break;
    case 5: g_string_append (s, "sc"); break;
    case 6: g_string_append_printf (s, "sa/%s", reasons[next (in) % 4]); break;
    case 7: g_string_append_printf (s, "r/%u", w); break;
    case 8: g_string_append (s, "g"); break;
    case 9: g_string_append_printf (s, nested ? "ds/%u" : "rd/%u", w); break;
    case 10: g_string_append_printf (s, "cl/%u", w); break;
    case 11: g_string_append_printf (s, "ds/%u", w); break;
    case 12: g_string_append_printf (s, "ce/%s", reasons[next (in) % 3]); break;
    case 13: g_string_append (s, "st/-"); break;
    default: g_string_append_printf (s, "st/%s", reasons[next (in) % 3]); break;
    }
}

static void
append_modes (GString    *s,
              const char *key,
              Input      *in)
{
  static const char *bases[] = { "ok", "later", "f:E4", "nerr" };
  unsigned head = next (in);
  unsigned n = 1 + (head >> 6);

  g_string_append_printf (s, " %s=", key);
  for (unsigned i = 0; i < n; i++)
    {
      unsigned b = i == 0 ? head : next (in);

      g_string_append_printf (s, "%s%s", i ? "," : "", bases[b & 3]);
      if (b & 4)
        {
          g_string_append_c (s, '+');
          append_op (s, in, TRUE);
        }
    }
}

static char *
decode (const uint8_t *data,
        size_t         size)
{
  static const char *hwms[] = { "0", "1", "2", "3.5", "inf", "-1", "nan", "0.5" };
  static const char *sizes[] = { "0", "1", "2", "0.5", "nan", "neg", "inf", "t:E5", "nerr" };
  Input in = { data, size, 0 };
  GString *s = g_string_new (NULL);
  unsigned kind;

  g_string_append_printf (s, "hwm=%s size=", hwms[next (&in) % G_N_ELEMENTS (hwms)]);
  kind = next (&in);
  if (kind % 4 == 0)
    g_string_append (s, "count");
  else if (kind % 4 == 1)
    g_string_append (s, "bytes");
  else
    {
      unsigned n = 1 + (kind >> 6);

      g_string_append (s, "custom:");
      for (unsigned i = 0; i < n; i++)
        {
          unsigned b = next (&in);

          g_string_append_printf (s, "%s%s", i ? "," : "", sizes[b % G_N_ELEMENTS (sizes)]);
          if (b >= 200)
            {
              g_string_append_c (s, '+');
              append_op (s, &in, TRUE);
            }
        }
    }
  append_modes (s, "start", &in);
  append_modes (s, "write", &in);
  append_modes (s, "close", &in);
  append_modes (s, "abort", &in);
  for (unsigned k = 0; k < 64 && in.pos < in.size; k++)
    {
      g_string_append_c (s, ' ');
      append_op (s, &in, FALSE);
    }
  return g_string_free (s, FALSE);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *line = decode (data, size);
  g_autoptr (GString) out = g_string_new (NULL);
  guint before = diff_not_finalized ();

  if (g_getenv ("FUZZ_PRINT") != NULL)
    g_printerr ("%s\n", line);
  diff_run_sequence (line, out);
  if (diff_not_finalized () != before)
    {
      g_printerr ("not finalized after: %s\n", line);
      abort ();
    }
  return 0;
}
