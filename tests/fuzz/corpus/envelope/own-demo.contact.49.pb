
gen-contact-call_result-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericrC
A
evt-1/verdict/v1/task/0/EX-2T1001agent-li *æ— äººæ¥å¬0