"""Pure analysis functions: frames in, frames out, no I/O."""
