// Class tx (90): select/select-ok, commit/commit-ok and
// rollback/rollback-ok, none with arguments. ClassID, MethodID, Read and
// Write implement Method and are documented there.
package wire

// TxSelect (90.10, client → server) puts the channel in transaction mode.
type TxSelect struct{ noArgs }

func (*TxSelect) ClassID() uint16  { return ClassTx }
func (*TxSelect) MethodID() uint16 { return 10 }

// TxSelectOk (90.11, server → client) confirms tx.select.
type TxSelectOk struct{ noArgs }

func (*TxSelectOk) ClassID() uint16  { return ClassTx }
func (*TxSelectOk) MethodID() uint16 { return 11 }

// TxCommit (90.20, client → server) commits the current transaction.
type TxCommit struct{ noArgs }

func (*TxCommit) ClassID() uint16  { return ClassTx }
func (*TxCommit) MethodID() uint16 { return 20 }

// TxCommitOk (90.21, server → client) confirms tx.commit.
type TxCommitOk struct{ noArgs }

func (*TxCommitOk) ClassID() uint16  { return ClassTx }
func (*TxCommitOk) MethodID() uint16 { return 21 }

// TxRollback (90.30, client → server) abandons the current transaction.
type TxRollback struct{ noArgs }

func (*TxRollback) ClassID() uint16  { return ClassTx }
func (*TxRollback) MethodID() uint16 { return 30 }

// TxRollbackOk (90.31, server → client) confirms tx.rollback.
type TxRollbackOk struct{ noArgs }

func (*TxRollbackOk) ClassID() uint16  { return ClassTx }
func (*TxRollbackOk) MethodID() uint16 { return 31 }
