"""What stockcaster keeps on disk: run folders, model bundles and the universe results store."""
