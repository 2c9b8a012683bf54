// Package filetx replaces a set of files all at once or not at all, so that
// a package difgen repairs is, after any crash, either wholly as it was or
// wholly repaired.
//
// # Writing
//
// [Apply] first takes a lock on every directory it will write in, then
// checks, before it writes anything, that every input file (every file the
// new texts were computed from, edited or not) still has the hash it had
// when it was read, that no Go file was added to the packages read, and
// that every target may be written: not read-only, in a writable
// directory, and — when it is a symbolic link — resolving to a regular file
// inside its module. If any check fails it writes nothing and returns an
// [*Error] with a reason per file.
//
// Then it writes each new text to a temporary file next to the file it
// replaces (the link's target, for a symbolic link, so the link stays a
// link), with the same permissions, and syncs it; it writes the journal of
// the transaction into every directory involved and syncs it; it commits,
// by renaming the journal of one directory (the home) from .txn to
// .commit; it renames every temporary over its target; and it removes the
// journals, the home's last.
//
// A [File] with Create set is a new file: it must not exist, its
// directory must, and it takes part in the transaction like the others
// (a crash before the commit leaves no trace of it, one after it creates
// it on recovery).
//
// # Files
//
// All names hold the transaction's id, <pid>-<random>:
//
//	.a.go.difgen-<id>.tmp   the new text of a.go, next to it
//	.difgen-<id>.txn        the journal, in every directory of the transaction
//	.difgen-<id>.commit     the home's journal once the transaction is committed
//
// A journal lists the transaction's directories, its home and its renames
// (temporary → target), with paths relative to the journal's directory, and
// ends with a checksum line: a journal without it is incomplete. The home
// is the first directory in sorted order. A transaction may span several
// package directories, and several modules of a workspace: each directory
// holds a journal, so recovering any one of them finds the whole
// transaction.
//
// # Recovery
//
// [Recover] runs at the start of every fix and fill for each package
// directory difgen loads; it costs one directory read when there is nothing
// to do. A transaction whose home holds its .commit is rolled forward: the
// temporaries left are renamed over their targets (every package ends
// wholly new). One without it is rolled back: its temporaries are removed
// (every package stays wholly old). Temporaries without a journal are
// removed. So is the litter of earlier difgen binaries (.a.go.difgen-123
// temporaries, once a minute old).
//
// A live process's files are never touched: a writer holds an exclusive
// flock on each directory it writes in from before it creates its first
// file until it has removed its last, and Recover takes the same locks
// before it changes anything. The kernel drops the locks of a process that
// dies, so this is robust to pid reuse. Two difgen processes writing the
// same directory take turns; the second then finds its inputs changed.
//
// Signals do not stop Apply half-way: a cancelled context before the commit
// rolls back (nothing written), and after it is ignored.
//
// On systems without flock (not unix), directories are not locked: Recover
// must then not run beside a live difgen.
package filetx
