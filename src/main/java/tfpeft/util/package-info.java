/**
 * Small helpers with no knowledge of models or methods: files that appear whole or not at all
 * ({@link tfpeft.util.AtomicFiles}), a lock that keeps two commands out of one directory
 * ({@link tfpeft.util.DirectoryLock}), digests and CRC32C for integrity checks, and the seed
 * derivation ({@link tfpeft.util.Seeds}) that keys every random choice of a run.
 */
package tfpeft.util;
