
gen-order-paid-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericR"
T10018H’X€ºÕÂœ4€€ºÕÂœ4