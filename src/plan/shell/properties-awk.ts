/** The awk program behind `propertiesFilter` (properties.ts): an edit of a Java .properties stream. */

/**
 * awk filter editing a Java .properties stream (stdin → stdout).
 * Environment: LRROLL_PN = number of keys to set; for i = 1..PN, LRROLL_PK<i> is
 * the key as Java decodes it (for matching), LRROLL_PE<i> the key escaped for
 * writing, LRROLL_PV<i> the value escaped for writing. LRROLL_UN = number of
 * keys to remove, LRROLL_UK<i> each decoded key.
 * A logical line is a non-comment, non-blank physical line plus the following
 * lines while the line ends in an odd number of backslashes (as in Java, a
 * comment line never continues, and continuation lines lose leading blanks).
 * A replaced line keeps the original's leading blanks, key spelling and
 * separator when they sit on its first physical line; otherwise `key=value`.
 * CRLF files keep their CRs. A missing final newline is added.
 */
export const PROPERTIES_AWK = String.raw`
function isws(c) { return c == " " || c == "\t" || c == "\f" }
function skipws(s, i,    n) {
  n = length(s)
  while (i <= n && isws(substr(s, i, 1))) i++
  return i
}
function oddbs(s,    n, len) {
  n = 0; len = length(s)
  while (n < len && substr(s, len - n, 1) == "\\") n++
  return n % 2
}
function hexval(h,    i, v, d) {
  if (length(h) < 4) return -1
  v = 0
  for (i = 1; i <= 4; i++) {
    d = index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
    if (d < 0) return -1
    v = v * 16 + d
  }
  return v
}
# UTF-8 bytes of a code point (awk runs with LC_ALL=C, so %c emits one byte).
function utf8(cp) {
  if (cp < 128) return sprintf("%c", cp)
  if (cp < 2048) return sprintf("%c%c", 192 + int(cp / 64), 128 + cp % 64)
  if (cp < 65536) return sprintf("%c%c%c", 224 + int(cp / 4096), 128 + int(cp / 64) % 64, 128 + cp % 64)
  return sprintf("%c%c%c%c", 240 + int(cp / 262144), 128 + int(cp / 4096) % 64, 128 + int(cp / 64) % 64, 128 + cp % 64)
}
# Decodes the \uXXXX escape whose "u" is at s[i] (a surrogate pair as one
# character); sets adv to the number of characters consumed after the "u".
# A malformed escape (Java would reject the file) stands for a plain "u", and
# so does \u0000, which no key given to us can contain.
function uchar(s, i,    cp, lo) {
  adv = 0
  cp = hexval(substr(s, i + 1, 4))
  if (cp <= 0) return "u"
  adv = 4
  if (cp >= 55296 && cp < 56320 && substr(s, i + 5, 2) == "\\u") {
    lo = hexval(substr(s, i + 7, 4))
    if (lo >= 56320 && lo < 57344) { cp = 65536 + (cp - 55296) * 1024 + (lo - 56320); adv = 10 }
  }
  return utf8(cp)
}
# The key of a logical line (continuations joined), decoded as Java does.
function keyof(s,    n, i, c, k) {
  n = length(s); i = skipws(s, 1); k = ""
  while (i <= n) {
    c = substr(s, i, 1)
    if (c == "\\") {
      i++; c = substr(s, i, 1)
      if (c == "t") c = "\t"
      else if (c == "n") c = "\n"
      else if (c == "r") c = "\r"
      else if (c == "f") c = "\f"
      else if (c == "u") { c = uchar(s, i); i += adv }
    } else if (isws(c) || c == "=" || c == ":") break
    k = k c; i++
  }
  return k
}
# Leading blanks + key + separator of a physical line, or "" when the key
# does not end with a separator on this line (a key continued on the next
# line skips its final backslash and runs off the end).
function prefixof(s,    n, i, c) {
  n = length(s); i = skipws(s, 1)
  while (i <= n) {
    c = substr(s, i, 1)
    if (c == "\\") { i += 2; continue }
    if (isws(c) || c == "=" || c == ":") break
    i++
  }
  if (i > n) return ""
  i = skipws(s, i)
  c = substr(s, i, 1)
  if (c == "=" || c == ":") i = skipws(s, i + 1)
  return substr(s, 1, i - 1)
}
function emit(    k, i, p) {
  k = keyof(joined); kept = 0
  if (k in drop) return
  if (k in slot) {
    i = slot[k]
    if (!(i in done)) {
      done[i] = 1
      p = prefixof(first)
      if (p == "") p = ENVIRON["LRROLL_PE" i] "="
      print p ENVIRON["LRROLL_PV" i] firstcr
    }
    return
  }
  print raw; kept = 1
}
BEGIN {
  pn = ENVIRON["LRROLL_PN"] + 0
  for (i = 1; i <= pn; i++) slot[ENVIRON["LRROLL_PK" i]] = i
  un = ENVIRON["LRROLL_UN"] + 0
  for (i = 1; i <= un; i++) drop[ENVIRON["LRROLL_UK" i]] = 1
  eol = ""; cont = 0; kept = 0
}
{
  line = $0; cr = ""
  if (substr(line, length(line)) == "\r") { cr = "\r"; line = substr(line, 1, length(line) - 1) }
  if (NR == 1) eol = cr
  if (!cont) {
    c = substr(line, skipws(line, 1), 1)
    if (c == "" || c == "#" || c == "!") { print $0; next }
    raw = $0; first = line; firstcr = cr; joined = ""
  } else {
    raw = raw "\n" $0
    line = substr(line, skipws(line, 1))
  }
  if (oddbs(line)) { joined = joined substr(line, 1, length(line) - 1); cont = 1; next }
  joined = joined line; cont = 0
  emit()
}
END {
  # A file ending inside a continuation: keep it, and end it with an empty
  # line before appending so the new keys do not join the old value.
  dangling = 0
  if (cont) { emit(); dangling = kept }
  for (i = 1; i <= pn; i++) {
    if (i in done) continue
    if (dangling) { print eol; dangling = 0 }
    print ENVIRON["LRROLL_PE" i] "=" ENVIRON["LRROLL_PV" i] eol
  }
}
`;
