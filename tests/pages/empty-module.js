// An empty ES module: the startup bench's floor (the cost of any import()).
export {};
