// Untrusted text (banners, DNS names, file contents, names from a workflow): the characters that
// would break it onto a new line or hide part of it, defined once for every place that removes them.

/**
 * C0 and C1 control characters (line breaks among them), DEL, and Unicode's line and paragraph
 * separators U+2028 and U+2029, in runs. Global: for `replace`, never for `test`.
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * Characters that show nothing: whitespace, controls and format characters (zero-width spaces and
 * joiners U+200B-U+200D, the word joiner U+2060, the byte order mark U+FEFF, bidi controls), the
 * other default-ignorable code points (Hangul fillers, variation selectors) and the blank Braille
 * pattern U+2800. Global: for `replace`, never for `test`.
 */
export const INVISIBLE_CHARS = /[\s\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]+/gu;
