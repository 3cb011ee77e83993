
gen-order-memo_changed-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericRD@
T1001bè¯·å‘¨æœ«é€è´§jå·²ç”µè¯ç¡®è®¤€ ‹ïÂœ4ˆ’weekend