enum E {
  A = 1,
  B = 2,
}

const E K = E.B
