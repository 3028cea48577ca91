// A handler module that fails to load (a syntax error): the client reports an
// init error and the instance never takes an invocation.
exports.handler = async () => {
