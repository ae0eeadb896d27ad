typedef Later Alias

struct Later {
  1: required i32 x,
}
