/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wstream side of the differential test: runs every sequence of the file
 * given as argv[1] (one per line, grammar in README.md) and prints the trace
 * of each, "### <n>" before the trace of sequence n, in the format of
 * driver.mjs (the Node side).  Exit status 3 when a stream or sink was not
 * finalized after the end of its sequence.
 */
#include <stdio.h>

#include "engine.h"

int
main (int    argc,
      char **argv)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GString *out = g_string_new (NULL);
  guint n = 0;

  if (argc != 2)
    {
      g_printerr ("usage: %s SEQUENCES-FILE\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[1], &contents, NULL, &error))
    g_error ("%s", error->message);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_strstrip (lines[i])[0] == '\0')
        continue;
      g_string_append_printf (out, "### %u\n", n++);
      diff_run_sequence (lines[i], out);
      fwrite (out->str, 1, out->len, stdout);
      fflush (stdout);   /* the runner restarts after a crash */
      g_string_truncate (out, 0);
    }
  g_string_free (out, TRUE);
  if (diff_late_callbacks () || diff_not_finalized ())
    g_printerr ("lifetime: %u callbacks after the end of their sequence, "
                "%u sequences not finalized\n", diff_late_callbacks (), diff_not_finalized ());
  return diff_not_finalized () ? 3 : 0;
  return 0;
}
