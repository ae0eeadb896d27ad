typedef string message

struct Ug {
  1: optional message qa,
}

struct Fo9 {
  1: optional Ug u = {"qa": "Vt"},
}

service Echo {
  Ug echoUg(1: Ug v),
  Fo9 echoFo9(1: Fo9 v),
}
