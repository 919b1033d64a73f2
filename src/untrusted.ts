// Untrusted text (banners, DNS names, file contents, names from a workflow): the characters that
// would break it onto a new line or hide part of it, defined once for every place that removes them.

/**
 * C0 and C1 control characters (line breaks among them), DEL, and Unicode's line and paragraph
 * separators U+2028 and U+2029, in runs. Global: for `replace`, never for `test`.
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
